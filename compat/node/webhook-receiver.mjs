// Receive webhooks: a Node server that takes Roster's deliveries (the same as Clerk's) at POST /webhooks, verifies
// each with @clerk/backend's verifyWebhook (Standard Webhooks signatures in the svix-* headers), processes each event
// once, and only then answers 2xx. A bad signature gets 400; a failure while processing gets 500, and Roster sends
// the event again later, under the same svix-id.
//
//   ROSTER_WEBHOOK_SECRET=whsec_... [PORT=3000] node webhook-receiver.mjs
import http from 'node:http';
import { verifyWebhook } from '@clerk/backend/webhooks';

const signingSecret = process.env.ROSTER_WEBHOOK_SECRET;
if (!signingSecret) {
  console.error("set ROSTER_WEBHOOK_SECRET to the endpoint's whsec_... secret");
  process.exit(2);
}
const MAX_BODY_BYTES = 1024 * 1024;

// Your work, once per event: here one JSON line on stdout. Throw to have the delivery retried.
async function processEvent(id, evt) {
  console.log(JSON.stringify({ id, type: evt.type, object: evt.data.object, dataId: evt.data.id }));
}

// Delivery is at least once: a retry (or a recovery) of an event carries the same svix-id. Remember the ids you
// have processed and skip them; in production, store them with a unique key, in the transaction that does the work.
const processed = new Map(); // svix-id -> the promise of its processing

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

// On SIGTERM: take no more connections, answer the requests in flight, then close every connection (a client may
// hold one open that it has sent nothing on) and exit.
let inFlight = 0;
let stopping = false;
const closeWhenIdle = () => stopping && inFlight === 0 && server.closeAllConnections();

const server = http.createServer(async (req, res) => {
  inFlight += 1;
  res.on('close', () => {
    inFlight -= 1;
    closeWhenIdle();
  });
  const answer = (status, text) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(text);
  };
  if (req.method !== 'POST' || req.url !== '/webhooks') return answer(404, 'not found');
  let body;
  try {
    body = await readBody(req);
  } catch {
    return answer(413, 'too large');
  }
  let evt;
  try {
    const request = new Request(`http://localhost${req.url}`, { method: 'POST', headers: req.headers, body });
    evt = await verifyWebhook(request, { signingSecret });
  } catch {
    return answer(400, 'invalid signature');
  }
  const id = req.headers['svix-id'];
  let done = processed.get(id);
  if (!done) {
    done = processEvent(id, evt);
    processed.set(id, done);
    done.catch(() => processed.delete(id));
  }
  try {
    await done;
  } catch (e) {
    console.error(`processing ${id} failed:`, e);
    return answer(500, 'processing failed');
  }
  return answer(200, 'ok');
});

server.listen(Number(process.env.PORT ?? 3000), () => {
  console.error(`receiving webhooks at http://localhost:${server.address().port}/webhooks`);
});
process.on('SIGTERM', () => {
  stopping = true;
  server.close(() => process.exit(0));
  closeWhenIdle();
});
