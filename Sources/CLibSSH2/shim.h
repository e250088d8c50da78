#ifndef EICSETUP_CLIBSSH2_SHIM_H
#define EICSETUP_CLIBSSH2_SHIM_H
#include <string.h>
#include <libssh2.h>
#include <libssh2_publickey.h>
#if defined(__linux__)
#include <malloc.h>
#endif

// glibc's arena count (mallopt is not in Swift's Glibc module); a no-op elsewhere.
static inline void eic_limit_malloc_arenas(int count) {
#if defined(__linux__)
    mallopt(M_ARENA_MAX, count);
#else
    (void)count;
#endif
}

// Gives the free pages inside every malloc arena back to the system (glibc's malloc_trim also releases
// free pages below the top of each heap); a no-op elsewhere.
static inline void eic_release_free_malloc_pages(void) {
#if defined(__linux__)
    malloc_trim(0);
#endif
}

// libssh2 exposes several entry points only as macros, which Swift cannot import.
// These inline wrappers give them callable names.
static inline LIBSSH2_SESSION *eic_libssh2_session_init(void) {
    return libssh2_session_init_ex(NULL, NULL, NULL, NULL);
}
static inline LIBSSH2_CHANNEL *eic_libssh2_channel_open_session(LIBSSH2_SESSION *session) {
    return libssh2_channel_open_ex(session, "session", sizeof("session") - 1,
                                   LIBSSH2_CHANNEL_WINDOW_DEFAULT, LIBSSH2_CHANNEL_PACKET_DEFAULT,
                                   NULL, 0);
}
static inline int eic_libssh2_channel_exec(LIBSSH2_CHANNEL *channel, const char *command) {
    return libssh2_channel_process_startup(channel, "exec", sizeof("exec") - 1,
                                           command, (unsigned int)strlen(command));
}
static inline ssize_t eic_libssh2_channel_read(LIBSSH2_CHANNEL *channel, char *buf, size_t len) {
    return libssh2_channel_read_ex(channel, 0, buf, len);
}
static inline ssize_t eic_libssh2_channel_read_stderr(LIBSSH2_CHANNEL *channel, char *buf, size_t len) {
    return libssh2_channel_read_ex(channel, SSH_EXTENDED_DATA_STDERR, buf, len);
}
static inline ssize_t eic_libssh2_channel_write(LIBSSH2_CHANNEL *channel, const char *buf, size_t len) {
    return libssh2_channel_write_ex(channel, 0, buf, len);
}
static inline int eic_libssh2_channel_send_eof(LIBSSH2_CHANNEL *channel) {
    return libssh2_channel_send_eof(channel);
}
static inline int eic_libssh2_channel_shell(LIBSSH2_CHANNEL *channel) {
    return libssh2_channel_process_startup(channel, "shell", sizeof("shell") - 1, NULL, 0);
}
#endif
