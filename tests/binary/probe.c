/*
 * The command kep execs in the image tests: a static program that reports what
 * it was given and how it was started, so tests can check it from outside.
 *
 *   probe env            print the environment, one NAME=value per line
 *   probe exit N         exit with status N
 *   probe procs          print "pid ppid comm exe" for every process it can see
 *   probe dir PATH       print "mode uid rw|ro exec|noexec" of PATH
 *   probe wait MODE      print "ready pid=N", then wait for SIGTERM:
 *                          MODE exit:N   exit N on SIGTERM
 *                          MODE default  SIGTERM keeps its default action
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

extern char **environ;

static int exit_code;

static void on_term(int signum)
{
    (void)signum;
    dprintf(1, "got SIGTERM\n");
    _exit(exit_code);
}

static int procs(void)
{
    DIR *d = opendir("/proc");
    if (!d)
        return perror("/proc"), 1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300], buf[512] = "", exe[512] = "";
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        int pid = 0, ppid = 0;
        char comm[64] = "", state;
        if (fgets(buf, sizeof buf, f)) {
            char *open = strchr(buf, '('), *close = strrchr(buf, ')');
            if (open && close && close > open) {
                snprintf(comm, sizeof comm, "%.*s", (int)(close - open - 1), open + 1);
                sscanf(buf, "%d", &pid);
                sscanf(close + 2, "%c %d", &state, &ppid);
            }
        }
        fclose(f);
        snprintf(path, sizeof path, "/proc/%s/exe", e->d_name);
        ssize_t n = readlink(path, exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = '\0';
        printf("%d %d %s %s\n", pid, ppid, comm, exe[0] ? exe : "?");
    }
    closedir(d);
    return 0;
}

static int dir(const char *path)
{
    struct stat st;
    struct statvfs fs;
    if (stat(path, &st) < 0 || statvfs(path, &fs) < 0)
        return perror(path), 1;
    printf("%o %u %s %s\n", (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
           fs.f_flag & ST_RDONLY ? "ro" : "rw", fs.f_flag & ST_NOEXEC ? "noexec" : "exec");
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *what = argc > 1 ? argv[1] : "";
    if (strcmp(what, "env") == 0) {
        for (char **e = environ; *e; e++)
            printf("%s\n", *e);
        return 0;
    }
    if (strcmp(what, "exit") == 0 && argc > 2)
        return atoi(argv[2]);
    if (strcmp(what, "procs") == 0)
        return procs();
    if (strcmp(what, "dir") == 0 && argc > 2)
        return dir(argv[2]);
    if (strcmp(what, "wait") == 0 && argc > 2) {
        if (strncmp(argv[2], "exit:", 5) == 0) {
            exit_code = atoi(argv[2] + 5);
            signal(SIGTERM, on_term);
        }
        printf("ready pid=%d\n", (int)getpid());
        for (;;)
            pause();
    }
    fprintf(stderr, "usage: probe env | exit N | procs | dir PATH | wait exit:N|default\n");
    return 64;
}
