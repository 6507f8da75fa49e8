import { constants } from 'node:os';
import { loadLibc } from './libc';
import { NativeError } from './native-error';
import { closeQuietly } from './close-quietly';

const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const MSG_CTRUNC = 0x8;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const MSG_CMSG_CLOEXEC = 0x40000000;
const { EAGAIN, EINTR } = constants.errno;

/** Most descriptors one message may carry (the kernel's SCM_MAX_FD). */
export const MAX_FDS_PER_MESSAGE = 253;
/** Most payload bytes one {@link sendMessage} or {@link receiveMessage} call moves. */
export const MESSAGE_CHUNK_BYTES = 256 * 1024;

const MSGHDR_BYTES = 56;
const IOVEC_BYTES = 16;
const CMSG_HEADER_BYTES = 16;
const CONTROL_BYTES = CMSG_HEADER_BYTES + 4 * MAX_FDS_PER_MESSAGE + 4;

/** Fixed native buffers: one msghdr, iovec, control area and payload area for each direction. */
interface Scratch {
  hdr: unknown;
  hdrView: Buffer;
  iov: unknown;
  iovView: Buffer;
  control: unknown;
  controlView: Buffer;
  data: unknown;
  dataView: Buffer;
  /** The control area's address, as the low and high 32 bits (msg_control). */
  controlLow: number;
  controlHigh: number;
}

let scratches: { send: Scratch; recv: Scratch } | null = null;

// msghdr, iovec and control live in koffi-allocated memory that the GC never moves; they are
// filled in place through Buffer views and reused by every (synchronous) call.
function scratch(): { send: Scratch; recv: Scratch } {
  if (scratches) return scratches;
  const { koffi } = loadLibc();
  const make = (): Scratch => {
    const area = (bytes: number): [unknown, Buffer] => {
      const ptr = koffi.alloc('uint8_t', bytes);
      return [ptr, Buffer.from(koffi.view(ptr, bytes) as ArrayBuffer)];
    };
    const [hdr, hdrView] = area(MSGHDR_BYTES);
    const [iov, iovView] = area(IOVEC_BYTES);
    const [control, controlView] = area(CONTROL_BYTES);
    const [data, dataView] = area(MESSAGE_CHUNK_BYTES);
    const controlAddress = BigInt(koffi.address(control));
    const controlLow = Number(controlAddress & 0xffffffffn);
    const controlHigh = Number(controlAddress >> 32n);
    const s = { hdr, hdrView, iov, iovView, control, controlView, data, dataView, controlLow, controlHigh };
    iovView.writeBigUInt64LE(koffi.address(data), 0);
    hdrView.fill(0);
    hdrView.writeBigUInt64LE(koffi.address(iov), 16); // msg_iov
    hdrView.writeBigUInt64LE(1n, 24); // msg_iovlen
    return s;
  };
  scratches = { send: make(), recv: make() };
  return scratches;
}

// The 64-bit fields written per call, without BigInts (they measured 4% of a node's small
// reads): lengths stay far below 2^32, so their high half is 0.
function writeLength(view: Buffer, at: number, value: number): void {
  view.writeUInt32LE(value, at);
  view.writeUInt32LE(0, at + 4);
}

function readLength(view: Buffer, at: number): number {
  return view.readUInt32LE(at) + view.readUInt32LE(at + 4) * 2 ** 32;
}

function writeControl(scratch: Scratch, length: number): void {
  scratch.hdrView.writeUInt32LE(length === 0 ? 0 : scratch.controlLow, 32);
  scratch.hdrView.writeUInt32LE(length === 0 ? 0 : scratch.controlHigh, 36);
  writeLength(scratch.hdrView, 40, length);
}

/**
 * Sends up to {@link MESSAGE_CHUNK_BYTES} of `data` from `offset` with one `sendmsg`, with `fds`
 * as `SCM_RIGHTS` (the kernel duplicates them into the receiver with the first byte; the caller
 * keeps and closes its own). Returns the bytes sent, or `null` when the socket is full (EAGAIN).
 * Throws `NativeError` (`EPIPE`, `ECONNRESET`, ...). Never raises SIGPIPE.
 */
export function sendMessage(fd: number, data: Uint8Array, offset = 0, fds: readonly number[] = []): number | null {
  checkFds(fds);
  const length = Math.min(data.byteLength - offset, MESSAGE_CHUNK_BYTES);
  if (length <= 0) throw new NativeError('sendmsg', 'EINVAL', 'at least one byte must travel with a message');
  const { send } = scratch();
  send.dataView.set(data.subarray(offset, offset + length), 0);
  return sendFromScratch(fd, send, length, fds);
}

/** Longest text {@link sendText} takes: its UTF-8 form (at most 3 bytes per UTF-16 unit) fits one message. */
export const TEXT_MESSAGE_MAX_CHARS = Math.floor(MESSAGE_CHUNK_BYTES / 3);

/**
 * Sends `text` (at most {@link TEXT_MESSAGE_MAX_CHARS} long) as UTF-8 with one `sendmsg`, encoded
 * straight into the native send buffer: no Buffer is made for it. `fds` as for
 * {@link sendMessage}. Returns how many of its `bytes` were `sent` (fewer when the socket filled
 * up: the caller sends the rest), or `null` when the socket is full (EAGAIN). Throws as
 * {@link sendMessage} does.
 */
export function sendText(
  fd: number,
  text: string,
  fds: readonly number[] = [],
): { sent: number; bytes: number } | null {
  checkFds(fds);
  if (text.length === 0 || text.length > TEXT_MESSAGE_MAX_CHARS) {
    throw new NativeError('sendmsg', 'EINVAL', `a text message is 1 to ${TEXT_MESSAGE_MAX_CHARS} characters`);
  }
  const { send } = scratch();
  const bytes = send.dataView.write(text, 0, 'utf8');
  const sent = sendFromScratch(fd, send, bytes, fds);
  return sent === null ? null : { sent, bytes };
}

function checkFds(fds: readonly number[]): void {
  if (fds.length > MAX_FDS_PER_MESSAGE) {
    throw new NativeError('sendmsg', 'EINVAL', `${fds.length} descriptors; at most ${MAX_FDS_PER_MESSAGE}`);
  }
}

// One sendmsg of the first `length` bytes of the send buffer, with `fds` attached.
function sendFromScratch(fd: number, send: Scratch, length: number, fds: readonly number[]): number | null {
  const { koffi, sendmsg } = loadLibc();
  writeLength(send.iovView, 8, length);
  if (fds.length > 0) {
    const cmsgLen = CMSG_HEADER_BYTES + 4 * fds.length;
    writeLength(send.controlView, 0, cmsgLen);
    send.controlView.writeInt32LE(SOL_SOCKET, 8);
    send.controlView.writeInt32LE(SCM_RIGHTS, 12);
    fds.forEach((f, i) => send.controlView.writeInt32LE(f, CMSG_HEADER_BYTES + 4 * i));
    writeControl(send, (cmsgLen + 7) & ~7);
  } else writeControl(send, 0);
  const sent = sendmsg(fd, send.hdr, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (sent === -1) {
    const errno = koffi.errno();
    if (errno === EAGAIN || errno === EINTR) return null;
    throw new NativeError('sendmsg', errno);
  }
  return sent;
}

/** What one {@link receiveMessage} call got. */
export interface ReceivedMessage {
  /** Payload bytes (a copy); empty at end of stream. */
  data: Buffer;
  /** Descriptors that came with it, close-on-exec; the caller owns and must close them. */
  fds: number[];
  /** True when the peer closed its end (no more data will come). */
  end: boolean;
}

/**
 * Receives what is waiting on a socket (up to {@link MESSAGE_CHUNK_BYTES}) without blocking;
 * `null` when nothing is (EAGAIN). Descriptors arrive close-on-exec. A message whose descriptors
 * did not fit (`MSG_CTRUNC`) throws `NativeError` `EPROTO`, after closing those that did arrive.
 */
export function receiveMessage(fd: number): ReceivedMessage | null {
  const { recv } = scratch();
  const { koffi, recvmsg } = loadLibc();
  writeLength(recv.iovView, 8, MESSAGE_CHUNK_BYTES);
  writeControl(recv, CONTROL_BYTES);
  recv.hdrView.writeInt32LE(0, 48);
  const got = recvmsg(fd, recv.hdr, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (got === -1) {
    const errno = koffi.errno();
    if (errno === EAGAIN || errno === EINTR) return null;
    throw new NativeError('recvmsg', errno);
  }
  const fds: number[] = [];
  const controlLength = readLength(recv.hdrView, 40);
  let at = 0;
  while (at + CMSG_HEADER_BYTES <= controlLength) {
    const len = readLength(recv.controlView, at);
    if (len < CMSG_HEADER_BYTES) break;
    const level = recv.controlView.readInt32LE(at + 8);
    const type = recv.controlView.readInt32LE(at + 12);
    if (level === SOL_SOCKET && type === SCM_RIGHTS) {
      for (let p = at + CMSG_HEADER_BYTES; p + 4 <= at + len; p += 4) fds.push(recv.controlView.readInt32LE(p));
    }
    at += (len + 7) & ~7;
  }
  if ((recv.hdrView.readInt32LE(48) & MSG_CTRUNC) !== 0) {
    closeQuietly(...fds);
    throw new NativeError(
      'recvmsg',
      'EPROTO',
      'descriptors were dropped: the control buffer was too small (MSG_CTRUNC)',
    );
  }
  return { data: Buffer.from(recv.dataView.subarray(0, got)), fds, end: got === 0 };
}
