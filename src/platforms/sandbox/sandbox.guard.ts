// The sandbox lets anyone act as anyone, so unless the admin opted in (allowRemote) it answers
// only requests from this machine: the socket's peer must be loopback, and the Host header must
// name loopback too — the latter stops a web page that rebinds its DNS name to 127.0.0.1 from
// driving the sandbox from the user's own browser.

export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  if (addr === '::1') return true;
  const v4 = addr.toLowerCase().startsWith('::ffff:') ? addr.slice(7) : addr;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  const h = name.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '[::1]' || isLoopbackAddress(h);
}

export const REMOTE_REFUSED = {
  error: 'forbidden',
  message: '沙盒只接受本机访问；如需开放请设置 platforms.sandbox.allowRemote / the sandbox answers loopback requests only',
} as const;
