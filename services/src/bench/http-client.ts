import { connect, type Socket } from 'node:net';

export interface HttpAnswer {
  status: number;
  body: string;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * A lean keep-alive HTTP/1.1 client for the load generator: one request at a time per raw TCP
 * socket, the request sent in one write, the answer read by its Content-Length. On two cores every
 * cycle the generator spends is taken from the service and PostgreSQL: `node:http`'s client cost
 * ~120 µs per request here (30 % of a core at 2,500/s), this under half of it. The typed
 * SuaraClient still does all the setup calls.
 */
export class KeepAliveClient {
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  /** Requests waiting for a connection while `maxConnections` are busy. */
  private readonly waiting: Array<(conn: Connection) => void> = [];
  private readonly host: string;
  private readonly port: number;
  private open = 0;

  constructor(baseUrl: string, private readonly maxConnections: number) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
  }

  async post(path: string, token: string, json: string): Promise<HttpAnswer> {
    const head = `POST ${path} HTTP/1.1\r\nhost: ${this.host}\r\ncontent-type: application/json\r\nauthorization: Bearer ${token}\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n`;
    const conn = await this.take();
    try {
      return await conn.exchange(head + json);
    } finally {
      this.release(conn);
    }
  }

  close(): void {
    for (const c of this.all) c.destroy();
  }

  private take(): Promise<Connection> | Connection {
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.open >= this.maxConnections) return new Promise((resolve) => this.waiting.push(resolve));
    return this.connect();
  }

  /** A broken connection is replaced for whoever waits. */
  private release(conn: Connection): void {
    if (!conn.usable) this.open -= 1;
    const next = this.waiting.shift();
    if (next) next(conn.usable ? conn : this.connect());
    else if (conn.usable) this.idle.push(conn);
  }

  private connect(): Connection {
    const conn = new Connection(connect(this.port, this.host));
    this.all.push(conn);
    this.open += 1;
    return conn;
  }
}

class Connection {
  usable = true;
  private pending?: { resolve(a: HttpAnswer): void; reject(e: Error): void };
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  exchange(request: string): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  destroy(): void {
    this.usable = false;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const headEnd = this.buffered.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = this.buffered.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) return this.fail(new Error(`answer without content-length: ${head.slice(0, 200)}`));
    const end = headEnd + HEAD_END.length + Number(length[1]);
    if (this.buffered.length < end) return;
    const answer = { status: Number(head.slice(9, 12)), body: this.buffered.toString('utf8', headEnd + HEAD_END.length, end) };
    this.buffered = this.buffered.subarray(end);
    // The server will close this one: it must not be handed out again.
    if (/\r\nconnection: *close/i.test(head)) this.destroy();
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(answer);
  }

  private fail(err: Error): void {
    this.usable = false;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(err);
  }
}
