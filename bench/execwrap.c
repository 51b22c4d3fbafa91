/* The floor for start-to-exec figures (bench/binary.py): a static program that only execs its arguments. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: execwrap COMMAND [ARG...]\n");
        return 64;
    }
    execv(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
