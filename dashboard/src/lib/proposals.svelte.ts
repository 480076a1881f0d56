import { io, type Socket } from 'socket.io-client';
import type { LiveClientToServerEvents, LiveServerToClientEvents, ProposalView } from '@suara/contracts';
import { client } from './api';
import { session } from './session.svelte';

/**
 * Correction proposals the signed-in user should see live: an operator's open ones (their scope), a
 * verifier's answers. Filled from `GET /api/proposals` on every (re)connect, then kept by the
 * socket's `proposal` pushes (newest state of each proposal wins).
 */
export const proposals = $state<{ byId: Record<string, ProposalView>; connected: boolean }>({ byId: {}, connected: false });

export const STATUS_TEXT: Record<ProposalView['status'], string> = {
  open: 'menunggu jawaban operator',
  confirmed: 'dikonfirmasi operator',
  disputed: 'ditolak operator',
  withdrawn: 'ditarik verifikator',
  stale: 'usang (hasil sudah berubah)',
  expired: 'kedaluwarsa',
};

export function remember(p: ProposalView): void {
  proposals.byId[p.proposalId] = p;
}

/** Open proposals, newest first; for one TPS and ballot when given. */
export function openProposals(tpsCode?: string, ballot?: string): ProposalView[] {
  return Object.values(proposals.byId)
    .filter((p) => p.status === 'open' && (!tpsCode || p.tpsCode === tpsCode) && (!ballot || p.ballot === ballot))
    .sort((a, b) => (a.proposedAt < b.proposedAt ? 1 : -1));
}

/** The newest proposal of a TPS and ballot, whatever its status. */
export function latestProposal(tpsCode: string, ballot: string): ProposalView | undefined {
  return Object.values(proposals.byId)
    .filter((p) => p.tpsCode === tpsCode && p.ballot === ballot)
    .sort((a, b) => b.version - a.version)[0];
}

async function refresh(): Promise<void> {
  try {
    const list = await client().proposals(['open']);
    // Open ones the server no longer lists were answered elsewhere while this tab was away.
    for (const p of Object.values(proposals.byId)) if (p.status === 'open' && !list.some((q) => q.proposalId === p.proposalId)) delete proposals.byId[p.proposalId];
    for (const p of list) remember(p);
  } catch {
    // Offline: the next connect tries again.
  }
}

/** Connects the socket of proposals (operators and verifiers); returns its stop. */
export function startProposals(): () => void {
  const token = session.token;
  if (!token) return () => undefined;
  const socket: Socket<LiveServerToClientEvents, LiveClientToServerEvents> = io(`${location.origin}/live`, { auth: { token }, transports: ['websocket', 'polling'] });
  socket.on('connect', () => {
    proposals.connected = true;
    void refresh();
  });
  socket.on('disconnect', () => (proposals.connected = false));
  socket.on('proposal', (p) => remember(p));
  return () => {
    socket.removeAllListeners();
    socket.disconnect();
    proposals.byId = {};
    proposals.connected = false;
  };
}
