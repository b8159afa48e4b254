// Generated from spec/protocol.json by scripts/gen-protocol.mjs. Do not edit: change the spec and run `npm run build`.

export const PROTOCOL_VERSION: u8 = 1;
export const HEADER_SIZE: i32 = 8;
export const CRC_SIZE: i32 = 4;
export const FRAME_OVERHEAD: i32 = 12;
export const CHUNK_HEADER_SIZE: i32 = 17;
export const MIN_MAX_FRAME_SIZE: u32 = 64;
export const DEFAULT_MAX_FRAME_SIZE: u32 = 4096;
export const MAX_MAX_FRAME_SIZE: u32 = 16777216;
export const NO_SEQUENCE: u32 = 0;
export const IMAGE_PIECE_SIZE: u32 = 256;

// Message types.
export const MSG_HELLO: u8 = 0x01;
export const MSG_DEPLOY: u8 = 0x02;
export const MSG_DATA: u8 = 0x03;
export const MSG_TRAIN: u8 = 0x04;
export const MSG_EVAL: u8 = 0x05;
export const MSG_TELEMETRY: u8 = 0x06;
export const MSG_CHECKPOINT: u8 = 0x07;
export const MSG_RESTORE: u8 = 0x08;
export const MSG_RESET: u8 = 0x09;
export const MSG_CHUNK: u8 = 0x10;
export const MSG_RESULT: u8 = 0x80;
export const MSG_ERROR: u8 = 0x81;

// Error codes (u16 in ERROR replies).
export const ERR_BAD_ENCODING: u16 = 1;
export const ERR_TRUNCATED: u16 = 2;
export const ERR_BAD_CRC: u16 = 3;
export const ERR_BAD_VERSION: u16 = 4;
export const ERR_UNKNOWN_TYPE: u16 = 5;
export const ERR_OVERSIZE: u16 = 6;
export const ERR_BAD_LENGTH: u16 = 7;
export const ERR_BAD_PAYLOAD: u16 = 16;
export const ERR_UNEXPECTED_TYPE: u16 = 17;
export const ERR_BAD_CHUNK: u16 = 18;
export const ERR_BUSY: u16 = 19;
export const ERR_IN_USE: u16 = 20;
export const ERR_NOT_DEPLOYED: u16 = 32;
export const ERR_DOES_NOT_FIT: u16 = 33;
export const ERR_BAD_CONFIG: u16 = 34;
export const ERR_UNKNOWN_FORMAT: u16 = 35;
export const ERR_TRAP: u16 = 36;
export const ERR_NO_DATA: u16 = 37;
export const ERR_NO_CHECKPOINT: u16 = 38;
export const ERR_INTERNAL: u16 = 255;

// Split: which part of an experience a DATA batch belongs to (values).
export const SPLIT_TRAIN: u8 = 0;
export const SPLIT_TEST: u8 = 1;

// SampleEncoding: how DATA feature values are stored (values).
export const SAMPLE_ENCODING_F32: u8 = 0;
export const SAMPLE_ENCODING_U8: u8 = 1;

// DataFlag: bits of DATA flags (flags).
export const DATA_FLAG_CLEAR: u8 = 1;

// TrainFlag: bits of TRAIN flags (flags).
export const TRAIN_FLAG_CONTINUE: u8 = 1;
export const TRAIN_FLAG_FOLLOWS: u8 = 2;

// EvalFlag: bits of EVAL flags (flags).
export const EVAL_FLAG_TASK_MASK: u8 = 1;

// TelemetryFlag: bits of TELEMETRY flags (flags).
export const TELEMETRY_FLAG_RESET_COUNTERS: u8 = 1;

// ResetFlag: bits of RESET flags (flags).
export const RESET_FLAG_ERASE_FLASH: u8 = 1;

// Payload layouts: offsets of fields at a fixed offset, and the size of that fixed part.
export const HELLO_FIXED_SIZE: i32 = 0;
export const HELLO_REPLY_PROTOCOL_VERSION_OFFSET: i32 = 0;
export const HELLO_REPLY_MAX_FRAME_SIZE_OFFSET: i32 = 1;
export const HELLO_REPLY_MEMORY_LIMIT_OFFSET: i32 = 5;
export const HELLO_REPLY_FLASH_SIZE_OFFSET: i32 = 9;
export const HELLO_REPLY_ACCEL_PRESENT_OFFSET: i32 = 13;
export const HELLO_REPLY_ACCEL_FORMATS_OFFSET: i32 = 14;
export const HELLO_REPLY_RUNTIME_OFFSET: i32 = 18;
export const HELLO_REPLY_FIXED_SIZE: i32 = 18;
export const DEPLOY_CONFIG_OFFSET: i32 = 0;
export const DEPLOY_FIXED_SIZE: i32 = 0;
// The board fills memoryLimit over what the device writes (filledBy in the spec).
export const DEPLOY_REPLY_PARAMETERS_OFFSET: i32 = 0;
export const DEPLOY_REPLY_MODEL_BYTES_OFFSET: i32 = 4;
export const DEPLOY_REPLY_MEMORY_USED_OFFSET: i32 = 8;
export const DEPLOY_REPLY_MEMORY_LIMIT_OFFSET: i32 = 12;
export const DEPLOY_REPLY_FIXED_SIZE: i32 = 16;
export const DATA_EXPERIENCE_OFFSET: i32 = 0;
export const DATA_SPLIT_OFFSET: i32 = 2;
export const DATA_ENCODING_OFFSET: i32 = 3;
export const DATA_FLAGS_OFFSET: i32 = 4;
export const DATA_COUNT_OFFSET: i32 = 5;
export const DATA_FEATURES_OFFSET: i32 = 9;
export const DATA_SAMPLES_OFFSET: i32 = 13;
export const DATA_FIXED_SIZE: i32 = 13;
export const DATA_REPLY_STORED_OFFSET: i32 = 0;
export const DATA_REPLY_MEMORY_USED_OFFSET: i32 = 4;
export const DATA_REPLY_FIXED_SIZE: i32 = 8;
export const TRAIN_EXPERIENCE_OFFSET: i32 = 0;
export const TRAIN_ITERATIONS_OFFSET: i32 = 2;
export const TRAIN_BATCH_SIZE_OFFSET: i32 = 6;
export const TRAIN_SEED_OFFSET: i32 = 8;
export const TRAIN_FLAGS_OFFSET: i32 = 12;
export const TRAIN_FIXED_SIZE: i32 = 13;
export const TRAIN_REPLY_ITERATIONS_OFFSET: i32 = 0;
export const TRAIN_REPLY_MEAN_LOSS_OFFSET: i32 = 4;
export const TRAIN_REPLY_LAST_LOSS_OFFSET: i32 = 8;
export const TRAIN_REPLY_PRECISION_SWITCHES_OFFSET: i32 = 12;
export const TRAIN_REPLY_SWITCHES_OFFSET: i32 = 16;
export const TRAIN_REPLY_FIXED_SIZE: i32 = 16;
export const TRAIN_REPLY_SWITCHES_ITEM_SIZE: i32 = 7;
export const EVAL_EXPERIENCE_OFFSET: i32 = 0;
export const EVAL_FLAGS_OFFSET: i32 = 2;
export const EVAL_FIXED_SIZE: i32 = 3;
export const EVAL_REPLY_CORRECT_OFFSET: i32 = 0;
export const EVAL_REPLY_TOTAL_OFFSET: i32 = 4;
export const EVAL_REPLY_MEAN_LOSS_OFFSET: i32 = 8;
export const EVAL_REPLY_FIXED_SIZE: i32 = 12;
export const TELEMETRY_FLAGS_OFFSET: i32 = 0;
export const TELEMETRY_FIXED_SIZE: i32 = 1;
// The board fills timeUs, cycles, energyJ, memoryLimit, accelJobs, energyAcceleratorJ, energyMemoryJ, energyCpuJ over what the device writes (filledBy in the spec).
export const TELEMETRY_REPLY_TIME_US_OFFSET: i32 = 0;
export const TELEMETRY_REPLY_MACS_OFFSET: i32 = 8;
export const TELEMETRY_REPLY_CYCLES_OFFSET: i32 = 16;
export const TELEMETRY_REPLY_ENERGY_J_OFFSET: i32 = 24;
export const TELEMETRY_REPLY_MEMORY_USED_OFFSET: i32 = 32;
export const TELEMETRY_REPLY_MEMORY_PEAK_OFFSET: i32 = 36;
export const TELEMETRY_REPLY_MEMORY_LIMIT_OFFSET: i32 = 40;
export const TELEMETRY_REPLY_ACCEL_JOBS_OFFSET: i32 = 44;
export const TELEMETRY_REPLY_ENERGY_ACCELERATOR_J_OFFSET: i32 = 48;
export const TELEMETRY_REPLY_ENERGY_MEMORY_J_OFFSET: i32 = 56;
export const TELEMETRY_REPLY_ENERGY_CPU_J_OFFSET: i32 = 64;
export const TELEMETRY_REPLY_ACCEL_MACS_OFFSET: i32 = 72;
export const TELEMETRY_REPLY_ACCEL_UNITS_OFFSET: i32 = 80;
export const TELEMETRY_REPLY_FALLBACK_NO_ACCELERATOR_OFFSET: i32 = 84;
export const TELEMETRY_REPLY_FALLBACK_FORMAT_OFFSET: i32 = 88;
export const TELEMETRY_REPLY_FALLBACK_ROUNDING_OFFSET: i32 = 92;
export const TELEMETRY_REPLY_FALLBACK_MODE_OFFSET: i32 = 96;
export const TELEMETRY_REPLY_FALLBACK_EMPTY_OFFSET: i32 = 100;
export const TELEMETRY_REPLY_FALLBACK_REFUSED_OFFSET: i32 = 104;
export const TELEMETRY_REPLY_CPU_MACS_EXACT_OFFSET: i32 = 108;
export const TELEMETRY_REPLY_CPU_MACS_EXACT_SR_OFFSET: i32 = 116;
export const TELEMETRY_REPLY_CPU_MACS_FAST_OFFSET: i32 = 124;
export const TELEMETRY_REPLY_OPTIMIZER_STEPS_OFFSET: i32 = 132;
export const TELEMETRY_REPLY_LOSS_SCALE_SKIPS_OFFSET: i32 = 140;
export const TELEMETRY_REPLY_MACS_BY_FORMAT_OFFSET: i32 = 148;
export const TELEMETRY_REPLY_FIXED_SIZE: i32 = 148;
export const TELEMETRY_REPLY_MACS_BY_FORMAT_ITEM_SIZE: i32 = 12;
export const TELEMETRY_REPLY_HEALTH_ITEM_SIZE: i32 = 63;
export const CHECKPOINT_SLOT_OFFSET: i32 = 0;
export const CHECKPOINT_FIXED_SIZE: i32 = 1;
export const CHECKPOINT_REPLY_BYTES_OFFSET: i32 = 0;
export const CHECKPOINT_REPLY_CRC_OFFSET: i32 = 4;
export const CHECKPOINT_REPLY_FIXED_SIZE: i32 = 8;
export const RESTORE_SLOT_OFFSET: i32 = 0;
export const RESTORE_FIXED_SIZE: i32 = 1;
export const RESTORE_REPLY_BYTES_OFFSET: i32 = 0;
export const RESTORE_REPLY_CRC_OFFSET: i32 = 4;
export const RESTORE_REPLY_FIXED_SIZE: i32 = 8;
export const RESET_FLAGS_OFFSET: i32 = 0;
export const RESET_FIXED_SIZE: i32 = 1;
export const RESET_REPLY_FIXED_SIZE: i32 = 0;
export const CHUNK_INNER_TYPE_OFFSET: i32 = 0;
export const CHUNK_INDEX_OFFSET: i32 = 1;
export const CHUNK_COUNT_OFFSET: i32 = 5;
export const CHUNK_TOTAL_OFFSET: i32 = 9;
export const CHUNK_OFFSET_OFFSET: i32 = 13;
export const CHUNK_DATA_OFFSET: i32 = 17;
export const CHUNK_FIXED_SIZE: i32 = 17;
export const CHUNK_REPLY_RECEIVED_OFFSET: i32 = 0;
export const CHUNK_REPLY_FIXED_SIZE: i32 = 4;
export const RESULT_REQUEST_TYPE_OFFSET: i32 = 0;
export const RESULT_BODY_OFFSET: i32 = 1;
export const RESULT_FIXED_SIZE: i32 = 1;
export const ERROR_REQUEST_TYPE_OFFSET: i32 = 0;
export const ERROR_CODE_OFFSET: i32 = 1;
export const ERROR_MESSAGE_OFFSET: i32 = 3;
export const ERROR_FIXED_SIZE: i32 = 3;
