//go:build !purego

#include "textflag.h"

// func candidateBlock(p *byte) uint64
//
// Reads the 64 bytes at p, 16 at a time (SSE2, which every amd64 CPU has), and returns a
// mask with bit k set when p[k] is an ASCII digit that starts a run of digits and
// p[k-1] is a lead byte: '#', '-', '/', ' ' or ':'. Bit 0 is never set.
TEXT ·candidateBlock(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI

	MOVQ $0x2f2f2f2f2f2f2f2f, AX // '/': below the digits, and a lead byte
	MOVQ AX, X8
	PUNPCKLQDQ X8, X8
	MOVQ $0x3a3a3a3a3a3a3a3a, AX // ':': above the digits, and a lead byte
	MOVQ AX, X9
	PUNPCKLQDQ X9, X9
	MOVQ $0x2323232323232323, AX // '#'
	MOVQ AX, X10
	PUNPCKLQDQ X10, X10
	MOVQ $0x2d2d2d2d2d2d2d2d, AX // '-'
	MOVQ AX, X11
	PUNPCKLQDQ X11, X11
	MOVQ $0x2020202020202020, AX // ' '
	MOVQ AX, X12
	PUNPCKLQDQ X12, X12

	XORQ R8, R8 // digits
	XORQ R9, R9 // lead bytes

// CHUNK adds the digits and lead bytes of the 16 bytes at SI+off to R8 and R9. Digits
// are the bytes above '/' and below ':'; PCMPGTB compares signed bytes, and bytes from
// 0x80 up are negative, so they are never digits.
#define CHUNK(off) \
	MOVOU off(SI), X0 \
	MOVO X0, X1 \
	PCMPGTB X8, X1 \
	MOVO X9, X2 \
	PCMPGTB X0, X2 \
	PAND X2, X1 \
	PMOVMSKB X1, AX \
	SHLQ $off, AX \
	ORQ AX, R8 \
	MOVO X0, X2 \
	PCMPEQB X8, X2 \
	MOVO X0, X3 \
	PCMPEQB X9, X3 \
	POR X3, X2 \
	MOVO X0, X3 \
	PCMPEQB X10, X3 \
	POR X3, X2 \
	MOVO X0, X3 \
	PCMPEQB X11, X3 \
	POR X3, X2 \
	PCMPEQB X12, X0 \
	POR X0, X2 \
	PMOVMSKB X2, AX \
	SHLQ $off, AX \
	ORQ AX, R9

	CHUNK(0)
	CHUNK(16)
	CHUNK(32)
	CHUNK(48)

	// Runs of digits start where a digit follows a non-digit; keep the starts after a lead.
	MOVQ R8, AX
	SHLQ $1, AX
	NOTQ AX
	ANDQ R8, AX // AX = R8 &^ (R8 << 1)
	SHLQ $1, R9
	ANDQ R9, AX
	MOVQ AX, ret+8(FP)
	RET

// func candidateBlockAVX2(p *byte) uint64
//
// candidateBlock with AVX2: two 32-byte loads, and three-operand instructions that need no
// copies, so half the instructions of the SSE2 form. The same comparisons, with the
// constants broadcast from leadBytes.
TEXT ·candidateBlockAVX2(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI

	VPBROADCASTB ·leadBytes+0(SB), Y8  // '/'
	VPBROADCASTB ·leadBytes+1(SB), Y9  // ':'
	VPBROADCASTB ·leadBytes+2(SB), Y10 // '#'
	VPBROADCASTB ·leadBytes+3(SB), Y11 // '-'
	VPBROADCASTB ·leadBytes+4(SB), Y12 // ' '

// CHUNK32 adds the digits and lead bytes of the 32 bytes at SI+off to R8 and R9.
#define CHUNK32(off) \
	VMOVDQU off(SI), Y0 \
	VPCMPGTB Y8, Y0, Y1 \
	VPCMPGTB Y0, Y9, Y2 \
	VPAND Y1, Y2, Y1 \
	VPMOVMSKB Y1, AX \
	SHLQ $off, AX \
	ORQ AX, R8 \
	VPCMPEQB Y8, Y0, Y2 \
	VPCMPEQB Y9, Y0, Y3 \
	VPOR Y2, Y3, Y2 \
	VPCMPEQB Y10, Y0, Y3 \
	VPOR Y3, Y2, Y2 \
	VPCMPEQB Y11, Y0, Y3 \
	VPOR Y3, Y2, Y2 \
	VPCMPEQB Y12, Y0, Y3 \
	VPOR Y3, Y2, Y2 \
	VPMOVMSKB Y2, AX \
	SHLQ $off, AX \
	ORQ AX, R9

	XORQ R8, R8
	XORQ R9, R9
	CHUNK32(0)
	CHUNK32(32)
	VZEROUPPER // leave no upper halves set for SSE code that follows

	MOVQ R8, AX
	SHLQ $1, AX
	NOTQ AX
	ANDQ R8, AX
	SHLQ $1, R9
	ANDQ R9, AX
	MOVQ AX, ret+8(FP)
	RET

// leadBytes holds the bytes candidateBlockAVX2 compares with: '/', ':', '#', '-', ' '.
DATA ·leadBytes+0(SB)/1, $0x2f
DATA ·leadBytes+1(SB)/1, $0x3a
DATA ·leadBytes+2(SB)/1, $0x23
DATA ·leadBytes+3(SB)/1, $0x2d
DATA ·leadBytes+4(SB)/1, $0x20
GLOBL ·leadBytes(SB), RODATA|NOPTR, $8

