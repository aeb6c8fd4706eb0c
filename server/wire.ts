/**
 * The kernel's side of Jupyter's wire protocol: a message read from a ROUTER
 * socket, and replies to it signed and sent back through the socket's send
 * queue. Same shape as tslab's own message class (which it does not export),
 * so tslab's handlers accept it.
 */
import { randomBytes } from "crypto";
import { DELIMITER as DELIMITER_TEXT, Header, parseFrames, PROTOCOL_VERSION, signParts } from "../jupyter/protocol";
import { sendQueued, Sendable } from "./send-queue";

const DELIMITER = Buffer.from(DELIMITER_TEXT);

export class ServerMessage {
  identity: Buffer[] = [];
  header!: Header;
  parent: Partial<Header> = {};
  metadata: Record<string, unknown> = {};
  content: object = {};

  /** Parses received frames; throws on a missing delimiter or a bad signature. */
  static fromFrames(key: string, frames: Buffer[]): ServerMessage {
    const { identity, parts } = parseFrames(key, frames);
    const message = new ServerMessage();
    message.identity = identity;
    [message.header, message.parent, message.metadata, message.content] = parts as [
      Header,
      Partial<Header>,
      Record<string, unknown>,
      object,
    ];
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
    const bodies = [this.header, this.parent, this.metadata, this.content].map((b) => JSON.stringify(b));
    sendQueued(socket, [...this.identity, DELIMITER, signParts(key, bodies), ...bodies]);
  }
}
