/**
 * The kernel's side of Jupyter's wire protocol: a message read from a ROUTER
 * socket, and replies to it signed and sent back through the socket's send
 * queue. Same shape as tslab's own message class (which it does not export),
 * so tslab's handlers accept it.
 */
import { randomBytes } from "crypto";
import { DELIMITER as DELIMITER_TEXT, Header, PROTOCOL_VERSION, signParts } from "./protocol";
import { sendQueued, Sendable } from "./send-queue";

const DELIMITER = Buffer.from(DELIMITER_TEXT);

export class ServerMessage {
  identity: Buffer[] = [];
  header!: Header;
  parent: Partial<Header> = {};
  metadata: Record<string, unknown> = {};
  content: any = {};
  extra: unknown[] = [];

  /** Parses received frames; throws on a missing delimiter or a bad signature. */
  static fromFrames(key: string, frames: Buffer[]): ServerMessage {
    const at = frames.findIndex((f) => f.equals(DELIMITER));
    if (at < 0 || frames.length < at + 6) throw new Error("malformed Jupyter message: no delimiter or too few frames");
    const message = new ServerMessage();
    message.identity = frames.slice(0, at);
    const signature = frames[at + 1].toString();
    const parts = frames.slice(at + 2);
    if (key && signature !== signParts(key, parts.map((p) => p.toString("utf8")))) throw new Error("Jupyter message with a bad signature");
    message.header = JSON.parse(parts[0].toString("utf8"));
    message.parent = JSON.parse(parts[1].toString("utf8"));
    message.metadata = JSON.parse(parts[2].toString("utf8"));
    message.content = JSON.parse(parts[3].toString("utf8"));
    return message;
  }

  /** A reply addressed to this message's sender, with this message as its parent. */
  createReply(): ServerMessage {
    const reply = new ServerMessage();
    reply.identity = this.identity;
    reply.header = {
      version: PROTOCOL_VERSION,
      date: new Date().toISOString(),
      session: this.header.session,
      username: this.header.username,
      msg_type: this.header.msg_type,
      msg_id: randomBytes(16).toString("hex"),
    };
    reply.parent = this.header;
    return reply;
  }

  signAndSend(key: string, socket: Sendable): void {
    const bodies = [this.header, this.parent, this.metadata, this.content, ...this.extra].map((b) => JSON.stringify(b));
    sendQueued(socket, [...this.identity, DELIMITER, signParts(key, bodies), ...bodies]);
  }
}
