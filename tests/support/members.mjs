// The member worker counts figures and awards badges a moment after each write, in the
// background. Tests that count a member's notifications exactly, or watch the page cache (which
// any write empties), wait for it first, so that a badge awarded a moment later does not land
// in the middle of what they measure.
import { eventually } from './server.mjs';

// Resolves once /metrics says the worker has nothing left to count.
export async function membersSettled(server, ms = 15000) {
  await eventually(async () => {
    const text = await (await fetch(server.url + '/metrics')).text();
    return /^peerdesk_member_work_pending 0$/m.test(text);
  }, 'the member worker to count every event', ms);
}
