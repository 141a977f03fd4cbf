/* Block shapes that the drivers (compiled once) and the row math (compiled per ISA) agree on. */
#ifndef CACT_LAYOUT_H
#define CACT_LAYOUT_H

/* columns per tile of the column kernels (softmax down a strided axis, one column per SIMD lane) */
#define CACT_COLS 16
/* columns per panel of softmax_vjp_y_panel: its lane sums (16 x panel doubles, twice for the
 * compensated double rows) take 32 KB */
#define CACT_PANEL_F32 256
#define CACT_PANEL_F64 128
/* softmax rows ask for the next row's lines in arrays of at least this many bytes (softmax.h) */
#define CACT_PF_FROM (2 * 1024 * 1024)
/* prelu's float32 slope tables: a run of up to this many channels past the last (prelu_blocks.inc) */
#define CACT_PRELU_RUN 256

#endif
