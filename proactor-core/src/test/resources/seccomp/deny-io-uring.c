/*
 * deny-io-uring ERRNO COMMAND [ARGS...]
 *
 * Runs COMMAND under a seccomp filter that fails io_uring_setup, io_uring_enter and
 * io_uring_register (x86_64 and aarch64 numbers 425..427) with ERRNO (EPERM or ENOSYS) and allows
 * every other system call: what a container runtime's default profile does to io_uring.
 * Built by the test suite; not shipped.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: deny-io-uring EPERM|ENOSYS command [args...]\n");
        return 2;
    }
    unsigned int err = strcmp(argv[1], "ENOSYS") == 0 ? ENOSYS : EPERM;
    struct sock_filter filter[] = {
        /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        /* 1 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 425, 0, 2), /* below 425: to 4, allow */
        /* 2 */ BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 427, 1, 0), /* above 427: to 4, allow */
        /* 3 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
        /* 4 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof(filter) / sizeof(filter[0]), .filter = filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        perror("prctl(NO_NEW_PRIVS)");
        return 1;
    }
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        perror("prctl(SECCOMP)");
        return 1;
    }
    execvp(argv[2], argv + 2);
    perror("execvp");
    return 127;
}
