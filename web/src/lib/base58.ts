// Base58btc (the bitcoin alphabet), as used by libp2p peer IDs. Small inputs
// only (peer IDs, keys): the conversion goes through one BigInt.

/** The base58btc alphabet: no 0, O, I or l. */
export const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** The characters of s that are not base58btc, each once, in order of appearance. */
export function nonBase58(s: string): string[] {
  return [...new Set([...s].filter((c) => !BASE58.includes(c)))];
}

/** Base58btc → bytes (each leading "1" is a zero byte), or null when s has a character outside the alphabet. */
export function decodeBase58(s: string): Uint8Array | null {
  let zeros = 0;
  while (zeros < s.length && s[zeros] === '1') zeros++;
  let n = 0n;
  for (const c of s) {
    const digit = BASE58.indexOf(c);
    if (digit < 0) return null;
    n = n * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.push(Number(n & 0xffn));
    n >>= 8n;
  }
  return Uint8Array.from([...new Array<number>(zeros).fill(0), ...bytes.reverse()]);
}

/** Bytes → base58btc (each leading zero byte is a "1"). */
export function encodeBase58(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = (BASE58[Number(n % 58n)] ?? '') + out;
    n /= 58n;
  }
  return '1'.repeat(zeros) + out;
}
