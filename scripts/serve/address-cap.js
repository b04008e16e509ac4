'use strict';
/**
 * Caps the connections one client may hold open at once, beside Node's global
 * maxConnections: capPerAddress(server, limit). A connection over the cap is reset as
 * soon as it is accepted, before a byte is read, and the server emits
 * 'drop' with { remoteAddress, remotePort, ..., perAddress: true } (Node's own 'drop',
 * for the global cap, has no perAddress). So a client that reconnects as soon as it is
 * cut off holds at most `limit` connections, and the others keep theirs.
 *
 * A client is its IPv4 address, or the /64 prefix of its IPv6 one (a single machine is
 * usually given a whole /64); an IPv4-mapped IPv6 address is the IPv4 one.
 */

const net = require('node:net');

/** The eight 16-bit groups of an IPv6 address, as lowercase hex without leading zeros. */
function ipv6Groups(address) {
  const [head, tail] = address.split('%', 1)[0].split('::');
  const groups = (text) => (text ? text.split(':') : []);
  const known = [...groups(head), ...groups(tail)];
  const filled = tail === undefined ? known : [...groups(head), ...Array(8 - known.length).fill('0'), ...groups(tail)];
  return filled.map((group) => parseInt(group, 16).toString(16));
}

/** Which client a connection is from, for counting; null when the address is unknown. */
function clientOf(remoteAddress) {
  if (typeof remoteAddress !== 'string') return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return mapped[1];
  if (net.isIPv6(remoteAddress.split('%', 1)[0])) return `${ipv6Groups(remoteAddress).slice(0, 4).join(':')}::/64`;
  return remoteAddress;
}

function capPerAddress(server, limit) {
  const open = new Map(); // client -> connections open now
  server.on('connection', (socket) => {
    const client = clientOf(socket.remoteAddress);
    const held = open.get(client) || 0;
    if (client === null || held >= limit) {
      const info = {
        localAddress: socket.localAddress, localPort: socket.localPort,
        remoteAddress: socket.remoteAddress, remotePort: socket.remotePort, remoteFamily: socket.remoteFamily,
        perAddress: true,
      };
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
      server.emit('drop', info);
      return;
    }
    open.set(client, held + 1);
    socket.once('close', () => {
      const left = open.get(client) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    });
  });
}

module.exports = { capPerAddress, clientOf };
