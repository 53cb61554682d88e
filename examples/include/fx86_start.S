/* fx86_start.S — the entry point of freestanding guests (with fx86_rt.c).
 *
 * Linux (and fx86's LOAD) starts a static i386 program with this stack:
 *   [esp]              argc
 *   [esp+4 ...]        argv[0] ... argv[argc-1], NULL
 *   after that         envp[0] ... NULL, then the auxiliary vector
 * and no registers to rely on. _start hands argc, argv and envp to
 * fx86_start_c (in fx86_rt.c), which calls main and exits with its result. */
        .text
        .globl  _start
        .type   _start, @function
_start:
        xorl    %ebp, %ebp              /* outermost frame, for debuggers */
        movl    (%esp), %eax            /* argc */
        leal    4(%esp), %ecx           /* argv */
        leal    8(%esp,%eax,4), %edx    /* envp = argv + argc + 1 */
        andl    $-16, %esp              /* the i386 ABI wants 16-byte alignment at calls */
        subl    $4, %esp                /* 3 arguments + this pad = 16 bytes */
        pushl   %edx
        pushl   %ecx
        pushl   %eax
        call    fx86_start_c            /* never returns */
        hlt                             /* unreachable; faults if it ever is */
        .size   _start, . - _start

        .section .note.GNU-stack, "", @progbits  /* no executable stack */
