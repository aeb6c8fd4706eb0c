/**
 * The Jupyter messaging protocol's wire format (v5.3), client side: signing,
 * framing and parsing of the messages a runner exchanges with a kernel.
 */
import { createHmac, randomUUID } from "crypto";

/** The frame between a message's routing prefix and its signature. */
export const DELIMITER = "<IDS|MSG>";
export const PROTOCOL_VERSION = "5.3";

export interface Header {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

export interface Message<C = Record<string, unknown>> {
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: C;
}

/** The HMAC-SHA256 signature of a message's serialized parts; "" when the connection has no key. */
export function signParts(key: string, parts: string[]): string {
  if (!key) return "";
  const hmac = createHmac("sha256", key);
  for (const part of parts) hmac.update(part);
  return hmac.digest("hex");
}

export interface Frames {
  /** The routing prefix (a ROUTER socket's peer identities). */
  identity: Buffer[];
  /** Header, parent header, metadata and content, parsed. */
  parts: [unknown, unknown, unknown, unknown];
  /** Binary buffers after the content: not part of the signature. */
  buffers: Buffer[];
}

/** Splits received frames at the delimiter and checks the signature of the four JSON parts. */
export function parseFrames(key: string, frames: Buffer[]): Frames {
  const at = frames.findIndex((f) => f.toString() === DELIMITER);
  if (at < 0 || frames.length < at + 6) throw new Error("malformed Jupyter message: no delimiter or too few frames");
  const signature = frames[at + 1].toString();
  const parts = frames.slice(at + 2, at + 6).map((f) => f.toString("utf8"));
  if (key && signature !== signParts(key, parts)) throw new Error("Jupyter message with a bad signature");
  return {
    identity: frames.slice(0, at),
    parts: parts.map((p) => JSON.parse(p)) as Frames["parts"],
    buffers: frames.slice(at + 6),
  };
}

export class Session {
  readonly id = randomUUID();
  constructor(private readonly key: string) {}

  private sign(parts: string[]): string {
    return signParts(this.key, parts);
  }

  /** A new request message, framed for a DEALER socket. */
  request(msgType: string, content: object): { msgId: string; frames: string[] } {
    const header: Header = {
      msg_id: randomUUID(),
      msg_type: msgType,
      session: this.id,
      username: "dlkit",
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION,
    };
    const parts = [header, {}, {}, content].map((p) => JSON.stringify(p));
    return { msgId: header.msg_id, frames: [DELIMITER, this.sign(parts), ...parts] };
  }

  /** Parses received frames (any routing prefix is skipped); throws on a bad signature. */
  parse(frames: Buffer[]): Message {
    const [header, parent_header, metadata, content] = parseFrames(this.key, frames).parts;
    return { header, parent_header, metadata, content } as Message;
  }
}
