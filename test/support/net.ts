// A loopback TCP port nobody listens on right now (for servers that must be told their port up front).
import { createServer } from 'node:net';

export const freePort = (): Promise<number> =>
    new Promise((resolve, reject) => {
        const s = createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const a = s.address();
            const port = typeof a === 'object' && a !== null ? a.port : 0;
            s.close(() => resolve(port));
        });
    });
