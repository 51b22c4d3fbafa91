/*
 * kep's launcher: the first part of the one-file binary (dist/kep).
 *
 * The file is this static program followed by a bundle (the PyInstaller onedir
 * build of kep plus the C library and dynamic loader it was linked against)
 * and a trailer. At start the launcher:
 *
 *   1. blocks SIGTERM, SIGINT and SIGHUP, so that a signal arriving before
 *      Python has installed its handlers stays pending instead of being lost
 *      (as PID 1 a process has no default action for them); kep's frozen
 *      runtime hook unblocks them once it can act on them;
 *   2. checks that $TMPDIR (or /tmp) is a writable, exec-allowed directory and
 *      says so in one line if not;
 *   3. unpacks the bundle into a fresh $TMPDIR/kep-XXXXXX (mode 0700), writing
 *      the bundle's dynamic loader path into the entry program's PT_INTERP slot;
 *   4. replaces itself (execve, no fork) with the entry program, adding
 *      _KEP_BUNDLE (the directory) to the
 *      environment, and the user's values of what the frozen runtime changes
 *      (LD_LIBRARY_PATH, LD_LIBRARY_PATH_ORIG, _PYI_*, ...) as
 *      _KEP_SAVED_<name>; kep gives the user's environment back before it
 *      execs the command (kep/frozen.py).
 *
 * No process stays behind: kep, and after it the command, keep this PID.
 * Failures print one line in kep's log shape and exit 2 (configuration:
 * nothing was started).
 *
 * Bundle format (little endian), written by build/bundle.py:
 *   entry:   u8 type (1 dir, 2 file, 3 symlink), u8 flags (1: patch interp),
 *            u16 name_len, u32 mode, u64 size, u64 interp_offset,
 *            u64 interp_size, name[name_len], data[size]
 *   trailer: u64 bundle_offset, u64 entry_count, u64 unpacked_bytes,
 *            char magic[8] = "KEPBNDL1"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "KEPBNDL1"
#define ENTRY_PROGRAM "kep"   /* the PyInstaller bootloader, in the bundle */
#define LOADER "ld.so"        /* the dynamic loader, in the bundle */
#define EXIT_CONFIG 2

enum { T_DIR = 1, T_FILE = 2, T_SYMLINK = 3 };
enum { F_PATCH_INTERP = 1 };

struct header {
    uint8_t type;
    uint8_t flags;
    uint16_t name_len;
    uint32_t mode;
    uint64_t size;
    uint64_t interp_offset;
    uint64_t interp_size;
} __attribute__((packed));

struct trailer {
    uint64_t bundle_offset;
    uint64_t entry_count;
    uint64_t unpacked_bytes;
    char magic[8];
} __attribute__((packed));

static const char *bundle_dir;   /* set once the directory exists */
static int bundle_fd = -1;
static uint64_t *entry_offsets;  /* for removing a partial bundle */
static uint64_t entries_done;
static int self_fd = -1;

static void remove_partial_bundle(void);

/* KEP_LOG_FORMAT=json, as kep reads it: trimmed, any case. */
static int
json_logs(void)
{
    const char *v = getenv("KEP_LOG_FORMAT");
    if (!v)
        return 0;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\n'))
        n--;
    return n == 4 && strncasecmp(v, "json", 4) == 0;
}

/* `s` as the inside of a JSON string. */
static void
json_escape(char *out, size_t size, const char *s)
{
    size_t o = 0;
    for (; *s && o + 7 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(out + o, size - o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
}

/* One line, in the shape of kep's log lines (text or JSON, as KEP_LOG_FORMAT says), then exit 2. */
static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);

    char stamp[40] = "";
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    if (json_logs()) {
        char escaped[sizeof message * 6];
        json_escape(escaped, sizeof escaped, message);
        if (gmtime_r(&now.tv_sec, &tm))
            strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
        dprintf(STDERR_FILENO, "{\"time\": \"%s.%03ldZ\", \"level\": \"error\", \"message\": \"kep cannot start: %s\"}\n",
                stamp, now.tv_nsec / 1000000, escaped);
    } else {
        if (localtime_r(&now.tv_sec, &tm))
            strftime(stamp, sizeof stamp, "%Y/%m/%d %H:%M:%S", &tm);
        dprintf(STDERR_FILENO, "Entrypoint ERROR: %s kep cannot start: %s\n", stamp, message);
    }

    remove_partial_bundle();
    _exit(EXIT_CONFIG);
}

static int
read_at(void *buf, size_t len, uint64_t offset)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(self_fd, (char *)buf + done, len - done, (off_t)(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

/* $TMPDIR, else /tmp; made absolute, since the bundle's paths end up in PT_INTERP. */
static const char *
temporary_root(void)
{
    static char absolute[PATH_MAX];
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !tmpdir[0])
        return "/tmp";
    if (tmpdir[0] != '/' && realpath(tmpdir, absolute))
        return absolute;
    return tmpdir;
}

static double
megabytes(uint64_t bytes)
{
    return (double)bytes / 1e6;
}

/* Say exactly what is missing before writing anything. */
static void
check_root(const char *root, uint64_t unpacked)
{
    struct statvfs fs;
    const char *how = "set TMPDIR to one, or mount one at /tmp (an emptyDir volume, or the image's VOLUME /tmp)";

    if (statvfs(root, &fs) < 0)
        fail("%s: %s; kep unpacks %.0f MB into a writable, exec-allowed directory at each start: %s",
             root, strerror(errno), megabytes(unpacked), how);
    if (fs.f_flag & ST_RDONLY)
        fail("%s is read-only; kep unpacks %.0f MB into a writable, exec-allowed directory at each start: %s",
             root, megabytes(unpacked), how);
    if (fs.f_flag & ST_NOEXEC)
        fail("%s is mounted noexec; kep unpacks %.0f MB of programs and libraries into a writable, exec-allowed "
             "directory at each start: %s", root, megabytes(unpacked), how);
    if (access(root, W_OK | X_OK) < 0)
        fail("%s is not writable by user %u (%s); kep unpacks %.0f MB into a writable, exec-allowed directory "
             "at each start: %s", root, (unsigned)geteuid(), strerror(errno), megabytes(unpacked), how);
    if ((uint64_t)fs.f_bavail * fs.f_frsize < unpacked)
        fail("%s has %.1f MB free; kep unpacks %.0f MB there at each start: %s",
             root, megabytes((uint64_t)fs.f_bavail * fs.f_frsize), megabytes(unpacked), how);
}

static void
copy_data(int out, uint64_t offset, uint64_t size, const char *name)
{
    off_t pos = (off_t)offset;
    uint64_t left = size;
    while (left > 0) {
        ssize_t n = sendfile(out, self_fd, &pos, left > 0x40000000 ? 0x40000000 : (size_t)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail("writing %s/%s: %s", bundle_dir, name, strerror(errno));
        if (n == 0)
            fail("this file is truncated (reading %s)", name);
        left -= (uint64_t)n;
    }
}

static char *
read_name(uint64_t offset, uint16_t len)
{
    char *name = malloc((size_t)len + 1);
    if (!name || read_at(name, len, offset) < 0)
        fail("this file is damaged (bundle entry name)");
    name[len] = '\0';
    if (len == 0 || name[0] == '/' || strstr(name, ".."))
        fail("this file is damaged (bundle entry %s)", name);
    return name;
}

static void
unpack(const struct trailer *t, const char *interp_path)
{
    uint64_t offset = t->bundle_offset;
    entry_offsets = calloc(t->entry_count ? t->entry_count : 1, sizeof *entry_offsets);
    if (!entry_offsets)
        fail("out of memory");

    for (uint64_t i = 0; i < t->entry_count; i++) {
        struct header h;
        entry_offsets[i] = offset;
        if (read_at(&h, sizeof h, offset) < 0)
            fail("this file is damaged (bundle entry %llu)", (unsigned long long)i);
        char *name = read_name(offset + sizeof h, h.name_len);
        uint64_t data = offset + sizeof h + h.name_len;

        if (h.type == T_DIR) {
            if (mkdirat(bundle_fd, name, 0700) < 0)
                fail("creating %s/%s: %s", bundle_dir, name, strerror(errno));
        } else if (h.type == T_FILE) {
            int fd = openat(bundle_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (fd < 0)
                fail("creating %s/%s: %s", bundle_dir, name, strerror(errno));
            entries_done = i + 1;
            copy_data(fd, data, h.size, name);
            if (h.flags & F_PATCH_INTERP) {
                size_t len = strlen(interp_path) + 1;
                if (len > h.interp_size)
                    fail("the path %s is too long for the bundle (%llu bytes at most); use a shorter TMPDIR",
                         interp_path, (unsigned long long)h.interp_size - 1);
                if (pwrite(fd, interp_path, len, (off_t)h.interp_offset) != (ssize_t)len)
                    fail("writing %s/%s: %s", bundle_dir, name, strerror(errno));
            }
            if (fchmod(fd, h.mode & 07777) < 0 || close(fd) < 0)
                fail("writing %s/%s: %s", bundle_dir, name, strerror(errno));
        } else if (h.type == T_SYMLINK) {
            char *target = read_name(data, (uint16_t)h.size);
            if (symlinkat(target, bundle_fd, name) < 0)
                fail("creating %s/%s: %s", bundle_dir, name, strerror(errno));
            free(target);
        } else {
            fail("this file is damaged (bundle entry type %u)", h.type);
        }
        entries_done = i + 1;
        free(name);
        offset = data + h.size;
    }
}

/* Best effort, in reverse order: files and links, then their directories. */
static void
remove_partial_bundle(void)
{
    if (!bundle_dir)
        return;
    for (uint64_t i = entries_done; i-- > 0;) {
        struct header h;
        if (read_at(&h, sizeof h, entry_offsets[i]) < 0)
            continue;
        char name[PATH_MAX];
        if (h.name_len >= sizeof name || read_at(name, h.name_len, entry_offsets[i] + sizeof h) < 0)
            continue;
        name[h.name_len] = '\0';
        unlinkat(bundle_fd, name, h.type == T_DIR ? AT_REMOVEDIR : 0);
    }
    rmdir(bundle_dir);
    bundle_dir = NULL;
}

static int
is_runtime_name(const char *entry, size_t len)
{
    static const char *const names[] = {"LD_LIBRARY_PATH", "LD_LIBRARY_PATH_ORIG", "PYINSTALLER_RESET_ENVIRONMENT"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == len && strncmp(entry, names[i], len) == 0)
            return 1;
    return len > 5 && strncmp(entry, "_PYI_", 5) == 0;
}

/*
 * Record the user's values of every variable the frozen runtime changes, as
 * _KEP_SAVED_<name>=<value>, and _KEP_SAVED=1; drop the user's own _KEP_*
 * (reserved). kep/frozen.py gives them back before exec.
 */
static void
save_environment(void)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **copy = calloc(n + 1, sizeof *copy);
    if (!copy)
        fail("out of memory");
    for (size_t i = 0; i < n; i++)
        copy[i] = strdup(environ[i]);
    for (size_t i = 0; i < n; i++) {
        char *eq = copy[i] ? strchr(copy[i], '=') : NULL;
        if (!eq)
            continue;
        size_t len = (size_t)(eq - copy[i]);
        if (len > 5 && strncmp(copy[i], "_KEP_", 5) == 0) {
            *eq = '\0';
            unsetenv(copy[i]);
        } else if (is_runtime_name(copy[i], len)) {
            char name[256];
            if (snprintf(name, sizeof name, "_KEP_SAVED_%.*s", (int)len, copy[i]) < (int)sizeof name)
                setenv(name, eq + 1, 1);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(copy[i]);
    free(copy);
    if (setenv("_KEP_SAVED", "1", 1) < 0)
        fail("setting the environment: %s", strerror(errno));
}

int
main(int argc, char **argv)
{
    (void)argc;
    sigset_t terminating;
    sigemptyset(&terminating);
    sigaddset(&terminating, SIGTERM);
    sigaddset(&terminating, SIGINT);
    sigaddset(&terminating, SIGHUP);
    sigprocmask(SIG_BLOCK, &terminating, NULL);

    char program[PATH_MAX];
    ssize_t plen = readlink("/proc/self/exe", program, sizeof program - 1);
    if (plen < 0)
        fail("reading /proc/self/exe: %s (kep needs /proc)", strerror(errno));
    program[plen] = '\0';

    self_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (self_fd < 0)
        fail("opening %s: %s", program, strerror(errno));
    off_t end = lseek(self_fd, 0, SEEK_END);
    struct trailer t;
    if (end < (off_t)sizeof t || read_at(&t, sizeof t, (uint64_t)end - sizeof t) < 0
        || memcmp(t.magic, MAGIC, sizeof t.magic) != 0)
        fail("%s has no bundle (a bare launcher, or a damaged file)", program);

    const char *root = temporary_root();
    check_root(root, t.unpacked_bytes);

    static char dir[PATH_MAX - 64];
    if (snprintf(dir, sizeof dir, "%s/kep-XXXXXX", root) >= (int)sizeof dir)
        fail("TMPDIR is too long: %s", root);
    if (!mkdtemp(dir))
        fail("creating a directory in %s: %s; kep unpacks %.0f MB into a writable, exec-allowed directory "
             "at each start: set TMPDIR to one, or mount one at /tmp", root, strerror(errno),
             megabytes(t.unpacked_bytes));
    bundle_dir = dir;
    bundle_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (bundle_fd < 0)
        fail("opening %s: %s", dir, strerror(errno));

    char interp[PATH_MAX];
    snprintf(interp, sizeof interp, "%s/%s", dir, LOADER);
    unpack(&t, interp);

    char entry[PATH_MAX];
    snprintf(entry, sizeof entry, "%s/%s", dir, ENTRY_PROGRAM);
    save_environment();
    if (setenv("_KEP_BUNDLE", dir, 1) < 0)
        fail("setting the environment: %s", strerror(errno));

    execv(entry, argv);
    int err = errno;
    if (err == EACCES || err == EPERM)
        fail("executing %s: %s; the directory must allow exec (is %s mounted noexec?)", entry, strerror(err), root);
    fail("executing %s: %s", entry, strerror(err));
}
