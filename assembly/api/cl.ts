// Exports for inspecting the continual learner: the deployed learner's state (tests, tools), and
// replay buffers and A-GEM's projection on their own (tests of each mechanism against its definition).
import { CFG_ROLES, ROLE_WORDS, ROLE_REPLAY, ROLE_COUNT, NN_OK } from "../nn/abi";
import { newRole, readRole } from "../nn/precision";
import { setWeight, currentWeight } from "../nn/optim";
import { allocZeroed } from "../nn/alloc";
import { streamKey } from "../arith";
import { ReplayBuffer, newBuffer, offer, slotValues, slotKey } from "../cl/buffer";
import { agemProject } from "../cl/strategies/agem";
import { deployed, learner } from "../cl/state";

// ---- The deployed learner (0 or -1 when there is none) ----

export function cl_params(): i32 { return deployed ? learner.params : -1; }
/** The stored weights (in the weight role's storage) and their byte count. */
export function cl_weights_ptr(): usize { return deployed ? learner.model.ctx.weights : 0; }
export function cl_weights_bytes(): i32 { return deployed ? <i32>learner.model.modelBytes : -1; }
export function cl_master_ptr(): usize { return deployed ? learner.model.optimizer.master : 0; }
/** PackNet: per parameter the experience + 1 that owns it, 0 while free. */
export function cl_owners_ptr(): usize { return deployed ? learner.hooks.owners(learner) : 0; }
/** The regularisation penalty at the current weights (0 without one). */
export function cl_penalty(): f64 {
  return deployed ? learner.hooks.penalty(learner) : 0;
}
/** Moves every weight by delta (rounded to the weight and master formats). */
export function cl_shift_weights(delta: f32): i32 {
  if (!deployed) return -1;
  const model = learner.model;
  for (let i = 0; i < model.params; i++) setWeight(model.ctx, model.optimizer, i, currentWeight(model.ctx, model.optimizer, i) + delta);
  return 0;
}
export function cl_buffer_size(): i32 {
  return deployed && changetype<usize>(learner.buffer) != 0 ? learner.buffer.size : -1;
}
export function cl_buffer_capacity(): i32 {
  return deployed && changetype<usize>(learner.buffer) != 0 ? learner.buffer.capacity : -1;
}
export function cl_experiences_ended(): i32 { return deployed ? learner.ended : -1; }
/** The deployed learner's replay buffer (0 without one), for the cl_buffer_* exports below. */
export function cl_buffer(): usize { return deployed ? changetype<usize>(learner.buffer) : 0; }

// ---- A replay buffer on its own ----

/**
 * A buffer of `values` values per sample in the format `word` (rounding mode, SR bits 0 = all) with a
 * budget of `bytes`, `classKeys` classes and a policy (0 reservoir, 1 class-balanced, 2 greedy), its
 * draws from `seed`. Returns 0 when the format is not a replay format.
 */
export function cl_buffer_new(values: i32, bytes: u32, classKeys: i32, policy: i32, word: u32, mode: i32, srBits: i32, seed: u32): usize {
  const config = allocZeroed(<usize>(CFG_ROLES + ROLE_COUNT * ROLE_WORDS) << 2);
  const at = config + (<usize>(CFG_ROLES + ROLE_REPLAY * ROLE_WORDS) << 2);
  store<u32>(at, word);
  store<i32>(at + 4, mode);
  store<i32>(at + 8, srBits);
  const role = newRole();
  if (readRole(config, ROLE_REPLAY, role) != NN_OK || !role.present) return 0;
  const b = newBuffer(role, values, bytes, classKeys, policy);
  b.rng.key = streamKey(seed, 34);
  return changetype<usize>(b);
}
/** Offers f32 values at src as class `key`; returns the slot taken or -1. */
export function cl_buffer_offer(buffer: usize, src: usize, key: i32): i32 { return offer(changetype<ReplayBuffer>(buffer), src, key); }
export function cl_buffer_count(buffer: usize): i32 { return changetype<ReplayBuffer>(buffer).size; }
export function cl_buffer_slots(buffer: usize): i32 { return changetype<ReplayBuffer>(buffer).capacity; }
export function cl_buffer_sample_bytes(buffer: usize): i32 { return changetype<ReplayBuffer>(buffer).sampleBytes; }
/** The slots' stored values: slot s at s x sample bytes. */
export function cl_buffer_data(buffer: usize): usize { return changetype<ReplayBuffer>(buffer).data; }
export function cl_buffer_key(buffer: usize, slot: i32): i32 { return slotKey(changetype<ReplayBuffer>(buffer), slot); }
export function cl_buffer_values(buffer: usize, slot: i32, dst: usize): void { slotValues(changetype<ReplayBuffer>(buffer), slot, dst); }

/** A-GEM's projection of n f32 gradients at g against the reference r, in place; 1 when it projected. */
export function cl_agem_project(g: usize, r: usize, n: i32): i32 { return agemProject(g, r, n) ? 1 : 0; }

