/*
 * The native x87 oracle of the differential test (tests/x87/oracle.ts),
 * in two parts: driver.c reads cases, runs each one on the real CPU and
 * writes the results; runner.c (i386) or runner64.c (x86-64) writes the
 * machine code that runs one case in its processor mode. Both modes put the
 * code and the data at the same fixed addresses below 4 GiB, so the
 * instruction's address (FIP) and its memory operand's (FDP) are the same
 * 32-bit values the emulator replay is given.
 *
 * The stub a mode writes: FRSTOR the IN_STATE image; load EAX and EFLAGS
 * from IN_EAX and IN_EFL; the instruction under test; store EAX and EFLAGS
 * to OUT_EAX and OUT_EFL; FNSAVE to OUT_STATE; return. Without REX.W,
 * FRSTOR and FNSAVE use the 32-bit protected-mode image in both modes.
 *
 * Case record:   u8 o16, u8 esc, u8 modrm, u8 memLen, u32 eflags, u32 eax,
 *                u8 state[108], u8 mem[memLen]
 * Result record: u8 state[108], u8 mem[memLen], u32 eflags, u32 eax,
 *                u32 trap (0 = none, 1 = #MF (SIGFPE), 2 = #UD (SIGILL))
 * Output header: u32 instruction address, u32 memory operand address,
 *                u16 code selector, u16 data selector (those the
 *                instruction runs with, which the CPU records in FCS/FDS)
 */
#ifndef X87_RUNNER_H
#define X87_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#define CODE_ADDR 0x20000000u
#define DATA_ADDR 0x30000000u
#define MEM_ADDR (DATA_ADDR + 0x000)  /* the instruction's memory operand */
#define IN_STATE (DATA_ADDR + 0x100)  /* FRSTOR image */
#define OUT_STATE (DATA_ADDR + 0x200) /* FNSAVE image */
#define IN_EFL (DATA_ADDR + 0x300)
#define IN_EAX (DATA_ADDR + 0x304)
#define OUT_EFL (DATA_ADDR + 0x308)
#define OUT_EAX (DATA_ADDR + 0x30c)
#define MAX_MEM 112

/* Writes the stub at `code` (mapped at CODE_ADDR); returns the offset of the
 * slot that receives the instruction under test. */
size_t build_stub(uint8_t *code);

/* Writes the instruction under test into its slot, NOP-padded. */
void place(uint8_t *slot, int o16, int esc, int modrm);

/* The code and data segment selectors the instruction runs with. */
void selectors(uint16_t sel[2]);

/* Appends opcode bytes and a 32-bit absolute address at code + *p. */
void emit_abs(uint8_t *code, size_t *p, const uint8_t *op, int n, uint32_t addr);

#endif
