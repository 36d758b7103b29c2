// The sandbox lets anyone act as anyone, so unless the admin opted in (allowRemote) it answers
// only requests from this machine: the socket's peer must be loopback, and the Host header must
// name loopback too — the latter stops a web page that rebinds its DNS name to 127.0.0.1 from
// driving the sandbox from the user's own browser. A request that went through a proxy (it
// carries forwarding headers) is not local even when the proxy runs on this machine.

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

const FORWARDING = ['x-forwarded-for', 'forwarded', 'x-real-ip'] as const;

export function wasForwarded(headers: Record<string, string | string[] | undefined>): boolean {
  return FORWARDING.some((h) => headers[h] !== undefined);
}

export const REMOTE_REFUSED = {
  error: 'forbidden',
  message: '沙盒只接受本机访问；如需开放请设置 platforms.sandbox.allowRemote / the sandbox answers loopback requests only',
} as const;
