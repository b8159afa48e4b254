// Transports: an in-process pair, a child process, TCP, and a serial port (its parsing and its failure
// to open; no port exists on a test machine). Each passes bytes both ways and reports how the link ended.
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { describe, expect, test } from "vitest";
import { RunError, UsageError } from "../../host/errors.js";
import { ProcessTransport } from "../../host/transport/process.js";
import { parseSerialTarget, SerialTransport } from "../../host/transport/serial.js";
import { parseTcpAddress, TcpTransport } from "../../host/transport/tcp.js";
import { transportPair, type Transport, type TransportClosed } from "../../host/transport/transport.js";

const closed = (t: Transport) => new Promise<TransportClosed>((resolve) => t.onClose(resolve));
const received = (t: Transport, n: number) =>
  new Promise<Uint8Array>((resolve) => {
    const parts: number[] = [];
    t.onData((bytes) => {
      parts.push(...bytes);
      if (parts.length >= n) resolve(Uint8Array.from(parts));
    });
  });

describe("transportPair", () => {
  test("bytes written on one end arrive at the other, later and as a copy", async () => {
    const [a, b] = transportPair();
    const data = Uint8Array.of(1, 2, 3);
    const arriving = received(b, 3);
    a.write(data);
    data[0] = 9;
    expect(await arriving).toEqual(Uint8Array.of(1, 2, 3));
  });

  test("closing one end closes the other, which did not expect it", async () => {
    const [a, b] = transportPair(["host", "board"]);
    const ended = closed(b);
    await a.close();
    expect(a.open).toBe(false);
    expect(await ended).toEqual({ reason: "host closed by the other end", expected: false });
    expect(() => a.write(Uint8Array.of(1))).toThrow("host: write after the link closed");
  });
});

describe("ProcessTransport", () => {
  const node = (script: string) => new ProcessTransport({ command: process.execPath, args: ["-e", script], label: "test board" });

  test("talks over the child's stdin and stdout", async () => {
    const t = node("process.stdin.pipe(process.stdout)");
    const echoed = received(t, 4);
    t.write(Uint8Array.of(0, 1, 2, 255));
    expect(await echoed).toEqual(Uint8Array.of(0, 1, 2, 255));
    const ended = closed(t);
    await t.close();
    expect(await ended).toMatchObject({ expected: true, reason: expect.stringMatching(/^test board \(pid \d+\) exited with code 0$/) });
  });

  test("a child that dies says how, and passes on what it wrote on stderr", async () => {
    const t = node("process.stderr.write('flash file locked\\n'); process.exit(3)");
    const ended = await closed(t);
    expect(ended.expected).toBe(false);
    expect(ended.reason).toMatch(/exited with code 3$/);
    expect(ended.diagnostics).toBe("flash file locked");
  });

  test("a killed child reports the signal", async () => {
    const t = node("setInterval(() => {}, 1000)");
    const ended = closed(t);
    t.child.kill("SIGKILL");
    expect((await ended).reason).toMatch(/was killed by SIGKILL$/);
  });

  test("a command that does not exist ends the link with the reason", async () => {
    const t = new ProcessTransport({ command: "/nonexistent/edgecl-board", args: [] });
    expect((await closed(t)).reason).toMatch(/could not start: spawn \/nonexistent\/edgecl-board ENOENT/);
  });
});

describe("TcpTransport", () => {
  async function server(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
    const srv = createServer(onSocket);
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
    return { server: srv, port: (srv.address() as AddressInfo).port };
  }

  test("connects, passes bytes both ways, and reports the board closing the socket", async () => {
    const { server: srv, port } = await server((s) => s.on("data", (d) => s.end(d)));
    const t = await TcpTransport.connect({ host: "127.0.0.1", port });
    expect(t.description).toBe(`tcp 127.0.0.1:${port}`);
    const echoed = received(t, 3);
    const ended = closed(t);
    t.write(Uint8Array.of(7, 0, 7));
    expect(await echoed).toEqual(Uint8Array.of(7, 0, 7));
    expect(await ended).toMatchObject({ expected: false, reason: `tcp 127.0.0.1:${port} closed by the board` });
    srv.close();
  });

  test("closing from the host is expected", async () => {
    const { server: srv, port } = await server(() => {});
    const t = await TcpTransport.connect({ host: "127.0.0.1", port });
    const ended = closed(t);
    await t.close();
    expect((await ended).expected).toBe(true);
    srv.close();
  });

  test.each([
    ["127.0.0.1:5555", { host: "127.0.0.1", port: 5555 }],
    [":4000", { host: "127.0.0.1", port: 4000 }],
    ["[::1]:80", { host: "::1", port: 80 }],
    ["localhost:65535", { host: "localhost", port: 65535 }],
  ])("parses %s", (text, address) => {
    expect(parseTcpAddress(text)).toEqual(address);
  });

  test.each(["localhost", "host:0", "host:65536", "host:port"])("refuses %s naming what is allowed", (text) => {
    expect(() => parseTcpAddress(text)).toThrow(new UsageError(`expected a TCP address host:port with a port 1..65535, received "${text}"`));
  });
});

describe("SerialTransport", () => {
  test.each([
    ["/dev/ttyUSB0", { path: "/dev/ttyUSB0", baudRate: 115200 }],
    ["/dev/ttyACM1@921600", { path: "/dev/ttyACM1", baudRate: 921600 }],
    ["COM3@9600", { path: "COM3", baudRate: 9600 }],
  ])("parses %s", (text, options) => {
    expect(parseSerialTarget(text)).toEqual(options);
  });

  test("takes the manifest's baud rate when the target names none", () => {
    expect(parseSerialTarget("/dev/ttyUSB0", 460800).baudRate).toBe(460800);
  });

  test("refuses a baud rate below 300", () => {
    expect(() => parseSerialTarget("/dev/ttyUSB0@12")).toThrow('expected a baud rate of at least 300, received "12"');
  });

  test("a port that does not exist fails to open with the path in the message", async () => {
    const opening = SerialTransport.open({ path: "/dev/edgecl-no-such-port", baudRate: 115200 });
    await expect(opening).rejects.toBeInstanceOf(RunError);
    await expect(opening).rejects.toThrow(/^could not open serial port \/dev\/edgecl-no-such-port: /);
  });
});
