// Protect your app: a Node server whose /invoices route only members allowed to read invoices may call. The
// frontend sends the session token (POST /v1/sessions/{id}/tokens) as `Authorization: Bearer <jwt>`, and
// @clerk/backend verifies it against Roster's published keys (GET /v1/jwks), exactly as it would against Clerk.
//
//   ROSTER_API_URL=http://127.0.0.1:8080 ROSTER_SECRET_KEY=sk_test_... [PORT=3000] node protect-your-app.mjs
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { createClerkClient } from '@clerk/backend';

// The SDK wants a publishable key: pk_test_ + base64("<issuer host>$"). Roster's issuer is
// https://clerk.roster.local unless ROSTER_ISSUER says otherwise.
const issuerHost = new URL(process.env.ROSTER_ISSUER ?? 'https://clerk.roster.local').host;
const publishableKey = `pk_test_${btoa(`${issuerHost}$`).replace(/=+$/, '')}`;

export function startApp({ apiUrl, secretKey, port = 0 }) {
  const clerk = createClerkClient({ apiUrl, secretKey, publishableKey, telemetry: { disabled: true } });
  const server = http.createServer(async (req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url !== '/invoices') return send(404, { error: 'not found' });
    const state = await clerk.authenticateRequest(
      new Request(`http://${req.headers.host}${req.url}`, { headers: req.headers }),
    );
    if (!state.isAuthenticated) return send(401, { error: 'signed out' });
    const auth = state.toAuth();
    if (!auth.has({ permission: 'org:invoices:read' })) return send(403, { error: 'forbidden' });
    return send(200, { userId: auth.userId, orgId: auth.orgId });
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((done) => server.close(done)),
      }),
    );
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await startApp({
    apiUrl: process.env.ROSTER_API_URL,
    secretKey: process.env.ROSTER_SECRET_KEY,
    port: Number(process.env.PORT ?? 0),
  });
  console.log(`listening on ${url}`);
}
