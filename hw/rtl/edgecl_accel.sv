// The GEMM accelerator: the register block of spec/regmap.json (docs/accelerator.md), job validation in
// the model's order, and a ROWS x COLS array of MAC lanes computing one tile of Z at a time. Operands are
// read through one 32-bit memory port with a read latency of one cycle: per tile, Z is loaded (when
// accumulating), then per k one X element per tile row and one W element per tile column are fetched and
// every lane does one step; Z is written back lane by lane. ROWS, COLS, the supported formats and modes
// come from the board's configuration (edgecl_config.svh), offsets and codes from the register map
// (edgecl_regmap.svh); both are generated.
module edgecl_accel (
  input  logic        clk_i,
  input  logic        rst_ni,
  // Register bus: offsets in the 4 KiB block; reads are combinational.
  input  logic [11:0] reg_addr_i,
  input  logic        reg_we_i,
  input  logic [31:0] reg_wdata_i,
  output logic [31:0] reg_rdata_o,
  // Operand memory: byte addresses in the linear memory, whose current size is mem_bytes_i.
  input  logic [31:0] mem_bytes_i,
  output logic        mem_re_o,
  output logic        mem_we_o,
  output logic [31:0] mem_addr_o,
  output logic [31:0] mem_wdata_o,
  input  logic [31:0] mem_rdata_i    // the word read one cycle earlier
);
  `include "edgecl_regmap.svh"
  `include "edgecl_config.svh"

  typedef enum logic [3:0] {
    S_IDLE, S_MULT, S_BOUNDS, S_TILE, S_ZLOAD, S_FETCH, S_STEP, S_FINAL, S_WRITE, S_NEXT
  } state_t;

  // ---------------------------------------------------------------- registers
  (* mem2reg *) logic [31:0] rw_q [RW_COUNT];
  logic [31:0] status_q, error_info_q, jobs_q;
  logic [63:0] cycles_q, macs_q, bytes_read_q, bytes_written_q, job_cycles_q;
  state_t      state_q;
  logic        busy;
  assign busy = status_q[STATUS_BUSY_LSB];

  // Job fields, straight from the registers (writes are refused while busy).
  logic [31:0] m, n, k, ldx, ldw, ldz, x_base, w_base, z_base;
  logic        accumulate, trans_x, trans_w, fma, fast, uses_mul;
  logic [3:0]  mul_mode, acc_mode;
  logic [5:0]  sr_bits;
  assign m          = rw_q[RW_M];
  assign n          = rw_q[RW_N];
  assign k          = rw_q[RW_K];
  assign ldx        = rw_q[RW_LDX];
  assign ldw        = rw_q[RW_LDW];
  assign ldz        = rw_q[RW_LDZ];
  assign x_base     = rw_q[RW_X_ADDR];
  assign w_base     = rw_q[RW_W_ADDR];
  assign z_base     = rw_q[RW_Z_ADDR];
  assign accumulate = rw_q[RW_OP][OP_ACCUMULATE_LSB];
  assign trans_x    = rw_q[RW_OP][OP_TRANS_X_LSB];
  assign trans_w    = rw_q[RW_OP][OP_TRANS_W_LSB];
  assign fma        = rw_q[RW_MAC][MAC_FMA_LSB];
  assign fast       = rw_q[RW_MAC][MAC_FAST_LSB];
  assign uses_mul   = !fma && !fast;
  assign mul_mode   = rw_q[RW_ROUND][ROUND_MUL_LSB +: 4];
  assign acc_mode   = rw_q[RW_ROUND][ROUND_ACC_LSB +: 4];
  assign sr_bits    = rw_q[RW_SR_BITS] == 0 ? 6'd32 : rw_q[RW_SR_BITS][5:0];

  // ---------------------------------------------------------------- validation (docs/accelerator.md order)
  function automatic logic float_word_ok(input logic [31:0] word);
    logic [1:0] specials; logic [7:0] e, mm;
    specials = word[5:4]; e = word[15:8]; mm = word[23:16];
    float_word_ok = word[3:0] == 4'd0 && e >= 1 && e <= 8 && mm <= 23 && word[31:24] == 0 &&
                    (specials == 2'd0 ? (e >= 2 && mm >= 1) : specials == 2'd1 ? (mm >= 1 && e <= 7) :
                     specials == 2'd2 ? e <= 7 : 1'b0);
  endfunction
  function automatic logic format_ok(input logic [31:0] word, input logic [15:0] allowed);
    format_ok = float_word_ok(word) && (format_bit(word) & allowed) != 0;
  endfunction
  function automatic logic mode_ok(input logic [3:0] mode);
    mode_ok = mode <= 4'd6 && ROUND_MASK[mode[2:0]];
  endfunction

  logic [7:0]  check_err;
  logic [11:0] check_reg;
  always_comb begin
    check_err = ERR_NONE;
    check_reg = '0;
    if ((rw_q[RW_OP] & ~32'h7) != 0) begin
      check_err = ERR_BAD_OP; check_reg = REG_OP;
    end else if ((rw_q[RW_MAC] & ~32'h3) != 0 || (fma && fast) || (fma && !FMA_OK) || (fast && !FAST_OK)) begin
      check_err = ERR_BAD_OP; check_reg = REG_MAC;
    end else if (m == 0) begin
      check_err = ERR_ZERO_DIMENSION; check_reg = REG_M;
    end else if (n == 0) begin
      check_err = ERR_ZERO_DIMENSION; check_reg = REG_N;
    end else if (k == 0) begin
      check_err = ERR_ZERO_DIMENSION; check_reg = REG_K;
    end else if (uses_mul && !format_ok(rw_q[RW_MUL_FMT], PRODUCT_MASK)) begin
      check_err = ERR_UNSUPPORTED_FORMAT; check_reg = REG_MUL_FMT;
    end else if (!format_ok(rw_q[RW_ACC_FMT], ACCUMULATOR_MASK)) begin
      check_err = ERR_UNSUPPORTED_FORMAT; check_reg = REG_ACC_FMT;
    end else if (!float_word_ok(rw_q[RW_X_FMT])) begin
      check_err = ERR_UNSUPPORTED_FORMAT; check_reg = REG_X_FMT;
    end else if (!float_word_ok(rw_q[RW_W_FMT])) begin
      check_err = ERR_UNSUPPORTED_FORMAT; check_reg = REG_W_FMT;
    end else if ((rw_q[RW_ROUND] & ~32'hFF) != 0 || !mode_ok(acc_mode) || (uses_mul && !mode_ok(mul_mode))) begin
      check_err = ERR_UNSUPPORTED_ROUNDING; check_reg = REG_ROUND;
    end else if (rw_q[RW_SR_BITS] > 32) begin
      check_err = ERR_UNSUPPORTED_ROUNDING; check_reg = REG_SR_BITS;
    end else if (ldx < (trans_x ? m : k)) begin
      check_err = ERR_BAD_STRIDE; check_reg = REG_LDX;
    end else if (ldw < (trans_w ? k : n)) begin
      check_err = ERR_BAD_STRIDE; check_reg = REG_LDW;
    end else if (ldz < n) begin
      check_err = ERR_BAD_STRIDE; check_reg = REG_LDZ;
    end else if (x_base[1:0] != 0) begin
      check_err = ERR_MISALIGNED; check_reg = REG_X_ADDR;
    end else if (w_base[1:0] != 0) begin
      check_err = ERR_MISALIGNED; check_reg = REG_W_ADDR;
    end else if (z_base[1:0] != 0) begin
      check_err = ERR_MISALIGNED; check_reg = REG_Z_ADDR;
    end
  end

  // Four products by one shift-and-add multiplier, a bit per cycle: the operand extents for the bounds
  // check, and ROWS * N, the distance between rows of tiles in output positions (which seed the lanes' streams).
  logic [1:0]  mul_idx_q;
  logic [5:0]  mul_bit_q;
  logic [63:0] mul_acc_q;
  (* mem2reg *) logic [63:0] prod_q [4];
  logic [31:0] mul_a, mul_b;
  always_comb begin
    case (mul_idx_q)
      2'd0:    begin mul_a = (trans_x ? k : m) - 1; mul_b = ldx; end
      2'd1:    begin mul_a = (trans_w ? n : k) - 1; mul_b = ldw; end
      2'd2:    begin mul_a = m - 1; mul_b = ldz; end
      default: begin mul_a = n; mul_b = 32'(ROWS); end
    endcase
  end
  logic [63:0] x_end, w_end, z_end;
  assign x_end = 64'(x_base) + ((prod_q[0] + 64'(trans_x ? m : k)) << 2);
  assign w_end = 64'(w_base) + ((prod_q[1] + 64'(trans_w ? k : n)) << 2);
  assign z_end = 64'(z_base) + ((prod_q[2] + 64'(n)) << 2);

  // ---------------------------------------------------------------- tiles and addresses
  logic [31:0] i0_q, j0_q, kk_q;
  logic [31:0] x_row0_q, x_k_q, w_col0_q, w_k_q, z_row0_q, z_tile_q, row_o_q, tile_o_q;
  logic [31:0] xa_q, wa_q, za_q, zr_q;
  logic [15:0] q_q;                 // position within a fetch or a lane walk
  logic [7:0]  lr_q, lc_q;          // lane row and column of a lane walk
  logic        pend_q;              // a read is in flight; its data arrives this cycle
  logic [15:0] pend_q_q;            // which slot it fills
  logic [7:0]  pend_lr_q, pend_lc_q;
  (* mem2reg *) logic [31:0] xbuf_q [ROWS];
  (* mem2reg *) logic [31:0] wbuf_q [COLS];
  logic [31:0] x_step_i4, x_step_k4, w_step_k4, w_step_j4;
  assign x_step_i4 = (trans_x ? 32'd1 : ldx) << 2;
  assign x_step_k4 = (trans_x ? ldx : 32'd1) << 2;
  assign w_step_k4 = (trans_w ? 32'd1 : ldw) << 2;
  assign w_step_j4 = (trans_w ? ldw : 32'd1) << 2;
  // Every fetch and write-back moves one f32 container: this circuit reads no packed operands
  // (CAPS_MODES.PACKED is 0, OP.PACK_X, OP.PACK_W and OP.PACK_Z are BAD_OP), so X_FMT and W_FMT only get checked.
  logic [2:0] x_bytes, w_bytes, z_bytes;
  assign x_bytes = 3'd4;
  assign w_bytes = 3'd4;
  assign z_bytes = 3'd4;

  logic [31:0] rows_left, cols_left;
  logic [7:0]  act_rows, act_cols;
  assign rows_left = m - i0_q;
  assign cols_left = n - j0_q;
  assign act_rows  = rows_left >= ROWS ? 8'(ROWS) : rows_left[7:0];
  assign act_cols  = cols_left >= COLS ? 8'(COLS) : cols_left[7:0];
  logic lane_in;  // the lane (lr_q, lc_q) holds an output of Z
  assign lane_in = lr_q < act_rows && lc_q < act_cols;

  // ---------------------------------------------------------------- the array
  logic        lane_init, lane_step, lane_final, lane_seed;
  logic [31:0] lane_init_val;
  logic [ROWS*COLS-1:0] lane_load;
  logic [31:0] lane_s [ROWS*COLS];
  logic [31:0] fp32_word;
  assign fp32_word = FMT_FP32_WORD;
  logic [31:0] step_mul_fmt, step_acc_fmt;
  logic [2:0]  step_mul_mode, step_acc_mode;
  assign step_mul_fmt  = fast ? fp32_word : rw_q[RW_MUL_FMT];
  assign step_mul_mode = fast ? 3'd0 : mul_mode[2:0];
  assign step_acc_fmt  = fast ? fp32_word : rw_q[RW_ACC_FMT];
  assign step_acc_mode = fast ? 3'd0 : acc_mode[2:0];

  for (genvar r = 0; r < ROWS; r++) begin : g_row
    for (genvar c = 0; c < COLS; c++) begin : g_col
      // The position of this lane's output, i*N + j, seeds its stream at the start of each tile.
      logic [31:0] o;
      logic [63:0] seed;
      assign o = tile_o_q + 32'(r) * n + 32'(c);
      edgecl_sr_seed u_seed (.o_i(o), .key_i(rw_q[RW_SR_KEY]), .seed_o(seed));
      edgecl_mac_lane u_lane (
        .clk_i(clk_i), .rst_ni(rst_ni),
        .init_i(lane_init || lane_load[r*COLS + c]), .init_val_i(lane_init ? 32'd0 : mem_rdata_i),
        .step_i(lane_step), .final_i(lane_final),
        .seed_load_i(lane_seed), .seed_i(seed), .stream_step_i(lane_step && !fast),
        .x_i(xbuf_q[r]), .w_i(wbuf_q[c]), .fma_i(fma),
        .mul_fmt_i(step_mul_fmt), .mul_mode_i(step_mul_mode),
        .acc_fmt_i(step_acc_fmt), .acc_mode_i(step_acc_mode),
        .final_fmt_i(rw_q[RW_ACC_FMT]), .final_mode_i(acc_mode[2:0]),
        .sr_bits_i(sr_bits), .s_o(lane_s[r*COLS + c])
      );
    end
  end

  // ---------------------------------------------------------------- datapath control (combinational)
  logic [15:0] lane_count;
  assign lane_count = 16'(ROWS * COLS);
  always_comb begin
    mem_re_o = 1'b0; mem_we_o = 1'b0; mem_addr_o = '0; mem_wdata_o = '0;
    lane_init = 1'b0; lane_step = 1'b0; lane_final = 1'b0; lane_seed = 1'b0; lane_load = '0;
    case (state_q)
      S_ZLOAD: begin
        if (q_q < lane_count && lane_in) begin mem_re_o = 1'b1; mem_addr_o = za_q; end
        if (pend_q) lane_load[pend_q_q] = 1'b1;
      end
      S_TILE:  begin lane_init = !accumulate; lane_seed = 1'b1; end
      S_FETCH: begin
        if (q_q < ROWS) begin
          if (32'(q_q) < 32'(act_rows)) begin mem_re_o = 1'b1; mem_addr_o = xa_q; end
        end else if (q_q < ROWS + COLS) begin
          if (32'(q_q - ROWS) < 32'(act_cols)) begin mem_re_o = 1'b1; mem_addr_o = wa_q; end
        end
      end
      S_STEP:  lane_step = 1'b1;
      S_FINAL: lane_final = 1'b1;
      S_WRITE: if (lane_in) begin mem_we_o = 1'b1; mem_addr_o = za_q; mem_wdata_o = lane_s[q_q]; end
      default: ;
    endcase
  end

  // ---------------------------------------------------------------- register reads
  always_comb begin
    reg_rdata_o = 32'd0;
    case (reg_addr_i)
      REG_ID:               reg_rdata_o = RST_ID;
      REG_CAPS_FORMATS:     reg_rdata_o = CAPS_FORMATS_VALUE;
      REG_CAPS_ARRAY:       reg_rdata_o = CAPS_ARRAY_VALUE;
      REG_CAPS_MODES:       reg_rdata_o = CAPS_MODES_VALUE;
      REG_STATUS:           reg_rdata_o = status_q;
      REG_ERROR_INFO:       reg_rdata_o = error_info_q;
      REG_CYCLES_LO:        reg_rdata_o = cycles_q[31:0];
      REG_CYCLES_HI:        reg_rdata_o = cycles_q[63:32];
      REG_MACS_LO:          reg_rdata_o = macs_q[31:0];
      REG_MACS_HI:          reg_rdata_o = macs_q[63:32];
      REG_BYTES_READ_LO:    reg_rdata_o = bytes_read_q[31:0];
      REG_BYTES_READ_HI:    reg_rdata_o = bytes_read_q[63:32];
      REG_BYTES_WRITTEN_LO: reg_rdata_o = bytes_written_q[31:0];
      REG_BYTES_WRITTEN_HI: reg_rdata_o = bytes_written_q[63:32];
      REG_JOBS:             reg_rdata_o = jobs_q;
      default: for (int i = 0; i < RW_COUNT; i++) if (reg_addr_i == RW_OFFSETS[i*12 +: 12]) reg_rdata_o = rw_q[i];
    endcase
  end

  // ---------------------------------------------------------------- sequential
  logic rw_hit;
  int   rw_sel;
  always_comb begin
    rw_hit = 1'b0; rw_sel = 0;
    for (int i = 0; i < RW_COUNT; i++) if (reg_addr_i == RW_OFFSETS[i*12 +: 12]) begin rw_hit = 1'b1; rw_sel = i; end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int i = 0; i < RW_COUNT; i++) rw_q[i] <= RW_RESETS[i*32 +: 32];
      status_q <= '0; error_info_q <= '0; jobs_q <= '0;
      cycles_q <= '0; macs_q <= '0; bytes_read_q <= '0; bytes_written_q <= '0; job_cycles_q <= '0;
      state_q <= S_IDLE;
      mul_idx_q <= '0; mul_bit_q <= '0; mul_acc_q <= '0;
      for (int i = 0; i < 4; i++) prod_q[i] <= '0;
      i0_q <= '0; j0_q <= '0; kk_q <= '0; q_q <= '0; lr_q <= '0; lc_q <= '0;
      x_row0_q <= '0; x_k_q <= '0; w_col0_q <= '0; w_k_q <= '0; z_row0_q <= '0; z_tile_q <= '0;
      row_o_q <= '0; tile_o_q <= '0; xa_q <= '0; wa_q <= '0; za_q <= '0; zr_q <= '0;
      pend_q <= 1'b0; pend_q_q <= '0; pend_lr_q <= '0; pend_lc_q <= '0;
      for (int i = 0; i < ROWS; i++) xbuf_q[i] <= '0;
      for (int i = 0; i < COLS; i++) wbuf_q[i] <= '0;
    end else begin
      if (busy) job_cycles_q <= job_cycles_q + 1;
      pend_q <= 1'b0;

      // ---- the job
      case (state_q)
        S_MULT: begin
          if (mul_bit_q == 6'd32) begin
            prod_q[mul_idx_q] <= mul_acc_q;
            mul_acc_q <= '0;
            mul_bit_q <= '0;
            mul_idx_q <= mul_idx_q + 1;
            if (mul_idx_q == 2'd3) state_q <= S_BOUNDS;
          end else begin
            if (mul_b[mul_bit_q[4:0]]) mul_acc_q <= mul_acc_q + (64'(mul_a) << mul_bit_q[4:0]);
            mul_bit_q <= mul_bit_q + 1;
          end
        end
        S_BOUNDS: begin
          if (x_end > 64'(mem_bytes_i) || w_end > 64'(mem_bytes_i) || z_end > 64'(mem_bytes_i)) begin
            status_q     <= {16'b0, ERR_OUT_OF_BOUNDS, 8'b0} | (32'd1 << STATUS_DONE_LSB);
            error_info_q <= 32'(x_end > 64'(mem_bytes_i) ? REG_X_ADDR : w_end > 64'(mem_bytes_i) ? REG_W_ADDR : REG_Z_ADDR);
            state_q      <= S_IDLE;
          end else begin
            i0_q <= '0; j0_q <= '0;
            x_row0_q <= x_base; w_col0_q <= w_base; z_row0_q <= z_base; z_tile_q <= z_base;
            row_o_q <= '0; tile_o_q <= '0;
            state_q <= S_TILE;
          end
        end
        S_TILE: begin
          kk_q <= '0;
          x_k_q <= x_row0_q; w_k_q <= w_col0_q;
          xa_q <= x_row0_q; wa_q <= w_col0_q;
          za_q <= z_tile_q; zr_q <= z_tile_q;
          q_q <= '0; lr_q <= '0; lc_q <= '0;
          state_q <= accumulate ? S_ZLOAD : S_FETCH;
        end
        S_ZLOAD: begin
          if (q_q == lane_count) begin
            q_q <= '0;
            state_q <= S_FETCH;
          end else begin
            if (lane_in) begin
              pend_q <= 1'b1; pend_q_q <= q_q;
              bytes_read_q <= bytes_read_q + 64'(z_bytes);
            end
            q_q <= q_q + 1;
            if (lc_q == COLS - 1) begin
              lc_q <= '0; lr_q <= lr_q + 1; zr_q <= zr_q + (ldz << 2); za_q <= zr_q + (ldz << 2);
            end else begin
              lc_q <= lc_q + 1; za_q <= za_q + 4;
            end
          end
        end
        S_FETCH: begin
          // The word read at q - 1 arrives now.
          if (q_q != 0) begin
            if (q_q - 1 < ROWS) xbuf_q[q_q - 1] <= mem_rdata_i;
            else wbuf_q[q_q - 1 - ROWS] <= mem_rdata_i;
          end
          if (q_q < ROWS) begin
            if (32'(q_q) < 32'(act_rows)) bytes_read_q <= bytes_read_q + 64'(x_bytes);
            xa_q <= xa_q + x_step_i4;
          end else if (q_q < ROWS + COLS) begin
            if (32'(q_q - ROWS) < 32'(act_cols)) bytes_read_q <= bytes_read_q + 64'(w_bytes);
            wa_q <= wa_q + w_step_j4;
          end
          if (q_q == ROWS + COLS) state_q <= S_STEP;
          else q_q <= q_q + 1;
        end
        S_STEP: begin
          macs_q <= macs_q + 64'(act_rows) * 64'(act_cols);
          kk_q <= kk_q + 1;
          x_k_q <= x_k_q + x_step_k4; xa_q <= x_k_q + x_step_k4;
          w_k_q <= w_k_q + w_step_k4; wa_q <= w_k_q + w_step_k4;
          q_q <= '0;
          if (kk_q + 1 == k) begin
            za_q <= z_tile_q; zr_q <= z_tile_q; lr_q <= '0; lc_q <= '0;
            state_q <= fast ? S_FINAL : S_WRITE;
          end else begin
            state_q <= S_FETCH;
          end
        end
        S_FINAL: state_q <= S_WRITE;
        S_WRITE: begin
          if (q_q == lane_count) begin
            state_q <= S_NEXT;
          end else begin
            if (lane_in) bytes_written_q <= bytes_written_q + 64'(z_bytes);
            q_q <= q_q + 1;
            if (lc_q == COLS - 1) begin
              lc_q <= '0; lr_q <= lr_q + 1; zr_q <= zr_q + (ldz << 2); za_q <= zr_q + (ldz << 2);
            end else begin
              lc_q <= lc_q + 1; za_q <= za_q + 4;
            end
          end
        end
        S_NEXT: begin
          if (j0_q + COLS < n) begin
            j0_q <= j0_q + COLS;
            w_col0_q <= w_col0_q + 32'(COLS) * w_step_j4;
            z_tile_q <= z_tile_q + 32'(COLS * 4);
            tile_o_q <= tile_o_q + 32'(COLS);
            state_q <= S_TILE;
          end else if (i0_q + ROWS < m) begin
            i0_q <= i0_q + ROWS; j0_q <= '0;
            x_row0_q <= x_row0_q + 32'(ROWS) * x_step_i4;
            w_col0_q <= w_base;
            z_row0_q <= z_row0_q + 32'(ROWS) * (ldz << 2);
            z_tile_q <= z_row0_q + 32'(ROWS) * (ldz << 2);
            row_o_q <= row_o_q + prod_q[3][31:0];
            tile_o_q <= row_o_q + prod_q[3][31:0];
            state_q <= S_TILE;
          end else begin
            // Done: the cycles from START to here count, as the model's CYCLES does for a job.
            status_q <= (status_q & ~(32'd1 << STATUS_BUSY_LSB)) | (32'd1 << STATUS_DONE_LSB);
            cycles_q <= cycles_q + job_cycles_q + 1;
            jobs_q   <= jobs_q + 1;
            state_q  <= S_IDLE;
          end
        end
        default: ;
      endcase

      // ---- the bus (after the job, so a CLEAR in the same cycle wins)
      if (reg_we_i) begin
        if (reg_addr_i == REG_CTRL) begin
          if (reg_wdata_i[CTRL_CLEAR_LSB]) begin
            for (int i = 0; i < RW_COUNT; i++) rw_q[i] <= RW_RESETS[i*32 +: 32];
            status_q <= '0; error_info_q <= '0; jobs_q <= '0;
            cycles_q <= '0; macs_q <= '0; bytes_read_q <= '0; bytes_written_q <= '0;
            state_q <= S_IDLE;
          end
          if (reg_wdata_i[CTRL_START_LSB]) begin
            if (busy && !reg_wdata_i[CTRL_CLEAR_LSB]) begin
              status_q[STATUS_ERROR_LSB +: 8] <= ERR_BUSY;
              error_info_q <= 32'(REG_CTRL);
            end else if (reg_wdata_i[CTRL_CLEAR_LSB]) begin
              // START after CLEAR: every register is at reset, M = 0.
              status_q <= {16'b0, ERR_ZERO_DIMENSION, 8'b0} | (32'd1 << STATUS_DONE_LSB);
              error_info_q <= 32'(REG_M);
            end else if (check_err != ERR_NONE) begin
              status_q <= {16'b0, check_err, 8'b0} | (32'd1 << STATUS_DONE_LSB);
              error_info_q <= 32'(check_reg);
            end else begin
              status_q <= 32'd1 << STATUS_BUSY_LSB;
              error_info_q <= '0;
              job_cycles_q <= '0;
              mul_idx_q <= '0; mul_bit_q <= '0; mul_acc_q <= '0;
              state_q <= S_MULT;
            end
          end
        end else if (rw_hit) begin
          if (busy) begin
            status_q[STATUS_ERROR_LSB +: 8] <= ERR_BUSY;
            error_info_q <= 32'(reg_addr_i);
          end else begin
            rw_q[rw_sel] <= reg_wdata_i;
          end
        end
      end
    end
  end
endmodule
