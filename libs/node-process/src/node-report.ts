/** What the node app tells a parent that started it with an IPC channel (`packice node start`), once. */
export type NodeReport =
  | {
      type: 'ready';
      pid: number;
      socket: string | null;
      url: string | null;
      storage: string;
      pidfile: string | null;
      /** `http://127.0.0.1:PORT/metrics` with `--metrics-port`, else `null`. */
      metrics: string | null;
      /** The 0600 file holding the HTTP token, for a node with HTTP and a token (never the token itself). */
      tokenFile?: string | null;
      /** The node's record in the user's runtime directory (HTTP nodes). */
      record?: string | null;
    }
  | { type: 'failed'; pid: number; code: string; message: string };
