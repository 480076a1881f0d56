import Fastify from 'fastify';

/**
 * The floor under the ingest measure: a bare Fastify server (the service's HTTP layer) whose
 * submission route does no work — no auth, no validation, no storage — and answers 201 with a
 * small JSON body. Run by the ingest measure in its own process, on PORT.
 */
async function main(): Promise<void> {
  const app = Fastify({ bodyLimit: 256 * 1024 });
  app.post('/api/results', async (req, reply) => {
    const body = req.body as { tpsCode?: string; ballot?: string };
    reply.code(201);
    return { tpsCode: body.tpsCode, ballot: body.ballot, status: 'submitted', version: 1 };
  });
  app.get('/health', async () => ({ ok: true }));
  const address = await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  // The line the bench waits for to learn the port (PORT=0: the kernel chooses).
  console.log(`http floor listening on http://localhost:${new URL(address).port}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
