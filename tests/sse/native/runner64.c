/*
 * The real CPU as the oracle for MMX/SSE/SSE2 (tests/sse): runs each case's
 * instruction in a 64-bit process and records what it left behind. The
 * cases use only encodings that mean the same in 32-bit and 64-bit mode (no
 * REX bytes, memory operands as [ebx] or [ebx+disp8], which 64-bit mode
 * reads as [rbx...] with RBX zero-extended), so the CPU computes what it
 * would for the i386 program fx86 runs.
 *
 * Record in (CASE_IN bytes): 16 instruction bytes (NOP-padded), the 512-byte
 * FXSAVE image loaded with FXRSTOR, EAX..EDI (ESP unused), EFLAGS, the 576
 * bytes ending the data page (the next page is unmapped). Record out: the
 * signal (0 = ran, else SIGSEGV, SIGFPE, SIGILL...), the FXSAVE image after
 * the instruction (after a signal: zeros but for the MXCSR at the trap),
 * EAX..EDI, EFLAGS, the 576 bytes.
 *
 * Build: gcc -static -O2 runner64.c -o runner64
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define CODE_ADDR 0x20000000UL
#define DATA_ADDR 0x30000000UL
#define MEM_LEN 576
#define MEM_ADDR (DATA_ADDR + 4096 - MEM_LEN)

struct ctx {
  uint8_t fx_in[512];   /* 0 */
  uint8_t fx_out[512];  /* 512 */
  uint32_t gpr_in[8];   /* 1024 */
  uint32_t gpr_out[8];  /* 1056 */
  uint64_t efl_in;      /* 1088 */
  uint64_t efl_out;     /* 1096 */
  uint64_t slot;        /* 1104 */
} __attribute__((aligned(16)));

void run_case(struct ctx *c);
__asm__(
    ".text\n.globl run_case\nrun_case:\n"
    "push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
    "mov %rdi, %r15\n"
    "fxrstor (%r15)\n"
    "pushq 1088(%r15)\npopfq\n"
    "mov 1104(%r15), %r11\n"
    "mov 1024(%r15), %eax\nmov 1028(%r15), %ecx\nmov 1032(%r15), %edx\nmov 1036(%r15), %ebx\n"
    "mov 1044(%r15), %ebp\nmov 1048(%r15), %esi\nmov 1052(%r15), %edi\n"
    "call *%r11\n"
    "pushfq\npopq 1096(%r15)\ncld\n"
    "mov %eax, 1056(%r15)\nmov %ecx, 1060(%r15)\nmov %edx, 1064(%r15)\nmov %ebx, 1068(%r15)\n"
    "mov %ebp, 1076(%r15)\nmov %esi, 1080(%r15)\nmov %edi, 1084(%r15)\n"
    "fxsave 512(%r15)\n"
    "pop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\nret\n");

static sigjmp_buf trap_jmp;
static uint32_t trap_mxcsr;

/* A trap leaves the case; the MXCSR at the trap (the flags #XM set) goes into the result. */
static void on_trap(int sig, siginfo_t *info, void *context) {
  (void)info;
  ucontext_t *uc = context;
  trap_mxcsr = uc->uc_mcontext.fpregs ? uc->uc_mcontext.fpregs->mxcsr : 0;
  siglongjmp(trap_jmp, sig);
}

int main(int argc, char **argv) {
  FILE *in, *out;
  if (argc != 3 || !(in = fopen(argv[1], "rb")) || !(out = fopen(argv[2], "wb"))) {
    fprintf(stderr, "usage: runner64 cases-file results-file\n");
    return 1;
  }
  uint8_t *code = mmap((void *)CODE_ADDR, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  uint8_t *data = mmap((void *)DATA_ADDR, 4096, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (code == MAP_FAILED || data == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  munmap((void *)(DATA_ADDR + 4096), 4096);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_trap;
  sa.sa_flags = SA_NODEFER | SA_SIGINFO;
  sigaction(SIGSEGV, &sa, 0);
  sigaction(SIGBUS, &sa, 0);
  sigaction(SIGFPE, &sa, 0);
  sigaction(SIGILL, &sa, 0);
  static struct ctx c;
  uint8_t instr[16];
  uint8_t *mem = (uint8_t *)MEM_ADDR;
  for (;;) {
    if (fread(instr, 1, 16, in) != 16) break;
    if (fread(c.fx_in, 1, 512, in) != 512 || fread(c.gpr_in, 4, 8, in) != 8) return 3;
    uint32_t efl;
    if (fread(&efl, 4, 1, in) != 1 || fread(mem, 1, MEM_LEN, in) != MEM_LEN) return 3;
    memcpy(code, instr, 16);
    code[16] = 0xc3;
    c.efl_in = efl;
    c.slot = CODE_ADDR;
    memset(c.fx_out, 0, 512);
    memset(c.gpr_out, 0, 32);
    c.efl_out = 0;
    volatile uint32_t sig = (uint32_t)sigsetjmp(trap_jmp, 1);
    if (!sig) run_case(&c);
    else memcpy(c.fx_out + 24, &trap_mxcsr, 4);
    uint32_t e = (uint32_t)c.efl_out;
    fwrite((const void *)&sig, 4, 1, out);
    fwrite(c.fx_out, 1, 512, out);
    fwrite(c.gpr_out, 4, 8, out);
    fwrite(&e, 4, 1, out);
    fwrite(mem, 1, MEM_LEN, out);
  }
  fclose(out);
  return 0;
}
