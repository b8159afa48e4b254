// DATA: stores a batch of samples of one experience and split (store.ts), after checking every field
// against the deployed model.
import {
  ERR_BAD_PAYLOAD, ERR_NOT_DEPLOYED, ERR_DOES_NOT_FIT, DATA_FIXED_SIZE, DATA_EXPERIENCE_OFFSET, DATA_SPLIT_OFFSET,
  DATA_ENCODING_OFFSET, DATA_FLAGS_OFFSET, DATA_COUNT_OFFSET, DATA_FEATURES_OFFSET, DATA_SAMPLES_OFFSET, SPLIT_TRAIN,
  SPLIT_TEST, SAMPLE_ENCODING_U8, SAMPLE_ENCODING_F32, DATA_FLAG_CLEAR,
  DATA_REPLY_FIXED_SIZE, DATA_REPLY_STORED_OFFSET, DATA_REPLY_MEMORY_USED_OFFSET,
} from "../generated/protocol";
import { learner } from "../cl/state";
import { storeAt, storeBytes, storeClear, storeAppend, recordBytes, dataEnd, dataBase } from "./store";
import { OK, fail, replyFixed, setU32, clampU32 } from "./reply";
import { request, memoryLimit, fits, notePeak, used } from "./memory";
import {
  needDeployment, shortPayload, badFlags, experienceTracked, badSplit, badEncoding, wrongFeatures, wrongSampleBytes, badLabel,
  encodingMismatch, noRoomForSamples,
} from "./messages";

export function data(length: u32): i32 {
  if (!needDeployment("DATA")) return fail(ERR_NOT_DEPLOYED);
  if (length < <u32>DATA_FIXED_SIZE) return shortPayload("DATA", length, DATA_FIXED_SIZE);
  const experience = <i32>load<u16>(request + DATA_EXPERIENCE_OFFSET);
  const split = <i32>load<u8>(request + DATA_SPLIT_OFFSET);
  const encoding = <i32>load<u8>(request + DATA_ENCODING_OFFSET);
  const flags = <i32>load<u8>(request + DATA_FLAGS_OFFSET);
  const count = load<u32>(request + DATA_COUNT_OFFSET);
  const features = load<u32>(request + DATA_FEATURES_OFFSET);
  const model = learner.model;
  if (!experienceTracked(experience)) return fail(ERR_BAD_PAYLOAD);
  if (split != SPLIT_TRAIN && split != SPLIT_TEST) {
    badSplit(split);
    return fail(ERR_BAD_PAYLOAD);
  }
  if (encoding != SAMPLE_ENCODING_F32 && encoding != SAMPLE_ENCODING_U8) {
    badEncoding(encoding);
    return fail(ERR_BAD_PAYLOAD);
  }
  if ((flags & ~DATA_FLAG_CLEAR) != 0) return badFlags("DATA", "CLEAR (1)", flags);
  if (features != <u32>model.input.size) {
    wrongFeatures(model.input.size, features);
    return fail(ERR_BAD_PAYLOAD);
  }
  const stride = recordBytes(<i32>features, encoding);
  const samplesBytes = <u64>length - <u64>DATA_FIXED_SIZE;
  if (<u64>count * <u64>stride != samplesBytes) {
    wrongSampleBytes(<i64>count * stride, count, features, samplesBytes);
    return fail(ERR_BAD_PAYLOAD);
  }
  const samples = request + <usize>DATA_SAMPLES_OFFSET;
  for (let k: u32 = 0; k < count; k++) {
    const label = <i32>load<u16>(samples + (<usize>k << 1));
    if (label >= model.classes) {
      badLabel(model.classes, label, k);
      return fail(ERR_BAD_PAYLOAD);
    }
  }
  const s = storeAt(experience, split);
  const clear = (flags & DATA_FLAG_CLEAR) != 0;
  if (!clear && s.count > 0 && s.encoding != encoding) {
    encodingMismatch(s.encoding, encoding);
    return fail(ERR_BAD_PAYLOAD);
  }
  const removed = clear ? storeBytes(s) : 0;
  const newEnd = <u64>dataEnd - <u64>removed + <u64>count * <u64>stride;
  const moveTo = max<u64>(<u64>samples, ((newEnd + 15) & ~<u64>15) + 16);
  const end = moveTo + samplesBytes + 64;
  if (!fits(end)) {
    noRoomForSamples(count, <u64>count * <u64>stride, dataEnd, dataBase, memoryLimit);
    return fail(ERR_DOES_NOT_FIT);
  }
  notePeak(end - 64);
  if (clear) storeClear(s);
  storeAppend(s, samples, <usize>samplesBytes, <i32>count, <i32>features, encoding, <usize>moveTo);
  notePeak(<u64>dataEnd);
  replyFixed(DATA_REPLY_FIXED_SIZE);
  setU32(DATA_REPLY_STORED_OFFSET, <u32>s.count);
  setU32(DATA_REPLY_MEMORY_USED_OFFSET, clampU32(used()));
  return OK;
}
