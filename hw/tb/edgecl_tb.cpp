// Bus-level harness of the verilated accelerator: a host process drives it through two FIFOs (or
// stdin/stdout) with little-endian 32-bit words. It owns the operand memory (a linear memory of a given
// size, read with one cycle of latency) and the clock; the host owns the jobs and the comparisons.
// Commands (spec/rtl-harness.json; their codes in edgecl_harness.h, generated from it):
//   SIZE bytes            set the memory size (zero-filled)
//   LOAD addr count w...  store words
//   WRITE offset value    one bus write (one clock)
//   READ offset           -> value
//   RUN limit             clock until STATUS.BUSY is 0 -> cycles run (limit 0: none)
//   DUMP addr count       -> words
//   TRACE on|off          start or stop a VCD (built with --trace; path from argv[3])
//   QUIT
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>
#include "Vedgecl_accel.h"
#include "edgecl_harness.h"
#include "verilated.h"
#ifdef EDGECL_TRACE
#include "verilated_vcd_c.h"
#endif

static FILE* in = stdin;
static FILE* out = stdout;

static uint32_t get() {
  uint32_t w;
  if (fread(&w, 4, 1, in) != 1) std::exit(0);  // the host closed the pipe
  return w;
}
static void put(uint32_t w) { fwrite(&w, 4, 1, out); }

int main(int argc, char** argv) {
  if (argc >= 3) {
    in = std::fopen(argv[1], "rb");
    out = std::fopen(argv[2], "wb");
    if (!in || !out) { std::fprintf(stderr, "edgecl_tb: cannot open %s or %s\n", argv[1], argv[2]); return 1; }
  }
  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vedgecl_accel>(ctx.get());
#ifdef EDGECL_TRACE
  ctx->traceEverOn(true);
  std::unique_ptr<VerilatedVcdC> vcd;
  const char* vcd_path = argc >= 4 ? argv[3] : "edgecl.vcd";
#endif
  std::vector<uint32_t> mem;
  uint32_t next_rdata = 0;
  uint64_t time = 0;

  auto tick = [&]() {
    top->clk_i = 0;
    top->eval();
#ifdef EDGECL_TRACE
    if (vcd) vcd->dump(time);
#endif
    time++;
    // What the port asks in this cycle happens at the coming edge; read data shows one cycle later.
    uint32_t word = top->mem_addr_o >> 2;
    if (top->mem_we_o && word < mem.size()) mem[word] = top->mem_wdata_o;
    uint32_t rdata = top->mem_re_o && word < mem.size() ? mem[word] : 0;
    top->clk_i = 1;
    top->mem_rdata_i = next_rdata;
    top->eval();
#ifdef EDGECL_TRACE
    if (vcd) vcd->dump(time);
#endif
    time++;
    next_rdata = rdata;
    top->mem_rdata_i = next_rdata;
  };

  // A falling edge of the active-low reset (a signal that starts low shows none).
  top->reg_we_i = 0;
  top->clk_i = 0;
  top->rst_ni = 1;
  top->eval();
  top->rst_ni = 0;
  top->eval();
  top->rst_ni = 1;
  top->eval();

  for (;;) {
    uint32_t cmd = get();
    switch (cmd) {
      case EDGECL_HARNESS_QUIT: top->final(); return 0;
      case EDGECL_HARNESS_SIZE: {
        uint32_t bytes = get();
        mem.assign(bytes / 4, 0);
        top->mem_bytes_i = bytes;
        break;
      }
      case EDGECL_HARNESS_LOAD: {
        uint32_t addr = get(), count = get();
        for (uint32_t i = 0; i < count; i++) {
          uint32_t w = get();
          if ((addr >> 2) + i < mem.size()) mem[(addr >> 2) + i] = w;
        }
        break;
      }
      case EDGECL_HARNESS_WRITE: {
        top->reg_addr_i = get();
        top->reg_wdata_i = get();
        top->reg_we_i = 1;
        tick();
        top->reg_we_i = 0;
        break;
      }
      case EDGECL_HARNESS_READ: {
        top->reg_addr_i = get();
        top->clk_i = 0;
        top->eval();
        put(top->reg_rdata_o);
        std::fflush(out);
        break;
      }
      case EDGECL_HARNESS_RUN: {
        uint32_t limit = get();
        uint32_t cycles = 0;
        top->reg_addr_i = EDGECL_REG_STATUS;
        top->eval();
        while ((top->reg_rdata_o & 1) && (limit == 0 || cycles < limit)) {
          tick();
          cycles++;
          top->reg_addr_i = EDGECL_REG_STATUS;
          top->eval();
        }
        put(cycles);
        std::fflush(out);
        break;
      }
      case EDGECL_HARNESS_DUMP: {
        uint32_t addr = get(), count = get();
        for (uint32_t i = 0; i < count; i++) put((addr >> 2) + i < mem.size() ? mem[(addr >> 2) + i] : 0);
        std::fflush(out);
        break;
      }
      case EDGECL_HARNESS_TRACE: {
        uint32_t on = get();
#ifdef EDGECL_TRACE
        if (on && !vcd) {
          vcd = std::make_unique<VerilatedVcdC>();
          top->trace(vcd.get(), 99);
          vcd->open(vcd_path);
        } else if (!on && vcd) {
          vcd->close();
          vcd.reset();
        }
#else
        (void)on;
#endif
        break;
      }
      default:
        std::fprintf(stderr, "edgecl_tb: expected a command 0..7, received %u\n", cmd);
        return 2;
    }
  }
}
