import { NO_VOTERS, type VoterSums } from './recap';

type LP = { l?: number; p?: number } | undefined;
interface FormVoters {
  voters?: { dpt?: number; voted?: number };
  administrasi?: {
    registered?: Record<string, LP>;
    voted?: Record<string, LP>;
  };
}

const sumLP = (parts: Record<string, LP> | undefined, side: 'l' | 'p'): number =>
  Object.values(parts ?? {}).reduce((n, lp) => n + (Number(lp?.[side]) || 0), 0);

/**
 * Adds one TPS's form to a region's voter sums. `voters` and the real form's `administrasi` (DPT,
 * DPTb and DPK, men and women) are optional in the form, so each counts the TPS that gave it.
 */
export function addForm(sums: VoterSums, form: FormVoters | null | undefined): VoterSums {
  if (!form) return sums;
  const next = { ...sums };
  if (form.voters) {
    next.withVoters++;
    next.dpt += Number(form.voters.dpt) || 0;
    next.voted += Number(form.voters.voted) || 0;
  }
  const a = form.administrasi;
  if (a) {
    next.withAdministrasi++;
    next.registeredL += sumLP(a.registered, 'l');
    next.registeredP += sumLP(a.registered, 'p');
    next.votedL += sumLP(a.voted, 'l');
    next.votedP += sumLP(a.voted, 'p');
  }
  return next;
}

/** Sums per child (by code prefix; a TPS code starts with its desa's, and so on) and for the region. */
export function voterSumsByChild(regionCode: string, childCodes: string[], forms: Array<{ tpsCode: string; form: FormVoters | null }>): Map<string, VoterSums> {
  const out = new Map<string, VoterSums>([[regionCode, NO_VOTERS], ...childCodes.map((c) => [c, NO_VOTERS] as const)]);
  for (const { tpsCode, form } of forms) {
    out.set(regionCode, addForm(out.get(regionCode)!, form));
    const child = childCodes.find((c) => tpsCode.startsWith(c));
    if (child && child !== regionCode) out.set(child, addForm(out.get(child)!, form));
  }
  return out;
}
