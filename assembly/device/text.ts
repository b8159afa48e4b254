// Error messages of the command loop, written into one static buffer: a command that fails must not
// allocate (the heap above the deployment holds the stored data), so no String is built at run time.

const CAPACITY: i32 = 1024;
const buffer = memory.data(CAPACITY);
let length: i32 = 0;

export function messageStart(): void {
  length = 0;
}

export function messagePtr(): usize {
  return buffer;
}

export function messageLength(): u32 {
  return <u32>length;
}

/** Appends ASCII text (message text is ASCII by construction). */
export function text(s: string): void {
  const n = s.length;
  for (let i = 0; i < n && length < CAPACITY; i++) store<u8>(buffer + <usize>(length++), <u8>s.charCodeAt(i));
}

/** Appends a decimal integer. */
export function num(value: i64): void {
  if (value < 0) {
    text("-");
    value = -value;
  }
  const digits = memory.data(24);
  let n = 0;
  do {
    store<u8>(digits + <usize>(n++), <u8>(48 + <i32>(value % 10)));
    value /= 10;
  } while (value > 0);
  while (n > 0 && length < CAPACITY) store<u8>(buffer + <usize>(length++), load<u8>(digits + <usize>(--n)));
}

/** Appends a non-negative value with up to 6 significant decimals after the point (settings in messages). */
export function real(value: f64): void {
  if (!(value == value)) {
    text("NaN");
    return;
  }
  if (value < 0) {
    text("-");
    value = -value;
  }
  if (value > 1e15) {
    text("inf");
    return;
  }
  const whole = <i64>Math.floor(value);
  num(whole);
  let fraction = <i64>Math.round((value - <f64>whole) * 1e6);
  if (fraction == 0) return;
  text(".");
  let scale: i64 = 100000;
  while (fraction > 0) {
    store<u8>(buffer + <usize>(length++), <u8>(48 + <i32>(fraction / scale)));
    fraction %= scale;
    scale /= 10;
    if (length >= CAPACITY) return;
  }
}
