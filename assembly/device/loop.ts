// The command loop (docs/protocol.md, docs/strategies.md): the exports a board drives.
//   cmd_buffer(bytes) -> where the board writes a request's payload (0 when memory cannot hold it)
//   cmd_run(type, length) -> 0 (the board replies RESULT with the reply body) or a protocol error code
//   cmd_reply_ptr(), cmd_reply_len() -> the reply body, or the error message (UTF-8)
// A failed command changes nothing already stored. Memory layout: memory.ts.
import {
  MSG_DEPLOY, MSG_DATA, MSG_TRAIN, MSG_EVAL, MSG_TELEMETRY, MSG_CHECKPOINT, MSG_RESTORE, MSG_RESET, MSG_CHUNK,
  ERR_BAD_PAYLOAD, ERR_UNEXPECTED_TYPE, IMAGE_PIECE_SIZE,
} from "../generated/protocol";
import { arenaMove, arenaClose } from "../runtime/arena";
import { messageStart, text, num } from "./text";
import { OK, fail, replyStart, replyPtr, replyLen, clampU32 } from "./reply";
import { start, request, requestBytes, rest, memoryLimit, requestBuffer, aboveRequest } from "./memory";
import { deploy, reset } from "./deploy";
import { data } from "./data";
import { train, trainChainBroken } from "./train";
import { evalCommand } from "./eval";
import { telemetry } from "./telemetry";
import { checkpoint, restore } from "./checkpoint";

export function cmd_buffer(bytes: u32): usize {
  start();
  return requestBuffer(bytes);
}

export function cmd_reply_ptr(): usize { return replyPtr; }
export function cmd_reply_len(): u32 { return replyLen; }

export function cmd_run(type: u32, length: u32): i32 {
  start();
  messageStart();
  replyStart();
  if (request == 0 || <usize>length > requestBytes) {
    text("expected a payload of at most ");
    num(<i64>requestBytes);
    text(" bytes in the buffer cmd_buffer gave, received a length of ");
    num(<i64>length);
    return fail(ERR_BAD_PAYLOAD);
  }
  // Anything a command allocates lands above its payload and is dropped when it ends; only DEPLOY
  // builds objects that outlive it.
  arenaMove(aboveRequest(<usize>length));
  arenaClose(type != MSG_DEPLOY);
  let code: i32;
  switch (type) {
    case MSG_DEPLOY: code = deploy(length); break;
    case MSG_DATA: code = data(length); break;
    case MSG_TRAIN: code = train(length); break;
    case MSG_EVAL: code = evalCommand(length); break;
    case MSG_TELEMETRY: code = telemetry(length); break;
    case MSG_CHECKPOINT: code = checkpoint(length); break;
    case MSG_RESTORE: code = restore(length); break;
    case MSG_RESET: code = reset(length); break;
    default:
      text("expected a request the device runs (DEPLOY, DATA, TRAIN, EVAL, TELEMETRY, CHECKPOINT, RESTORE, RESET), received type ");
      num(type);
      if (type == MSG_CHUNK) text(" (CHUNK: the board reassembles chunks)");
      code = fail(ERR_UNEXPECTED_TYPE);
  }
  // What a TRAIN with FOLLOWS goes on from is gone once samples, learner or state change.
  if (code == OK && (type == MSG_DEPLOY || type == MSG_DATA || type == MSG_RESTORE || type == MSG_RESET)) trainChainBroken();
  arenaMove(rest);
  arenaClose(true);
  return code;
}

/** The linear-memory limit the deployment declared (bytes; 0xffff0000 when none). */
export function cmd_memory_limit(): u32 { return clampU32(memoryLimit); }

/** CHECKPOINT and RESTORE take the image in pieces of this many bytes (checkpoint.ts): a board may stream it. */
export function cmd_image_pieces(): u32 { return IMAGE_PIECE_SIZE; }
