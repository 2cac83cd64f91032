#ifndef CUBICLE_CLIBSSH_SHIM_H
#define CUBICLE_CLIBSSH_SHIM_H
#include <libssh/libssh.h>
#include <libssh/callbacks.h>
#include <libssh/sftp.h>
#include <libssh/server.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

/* Helpers for what Swift cannot express directly: libssh's callback structs must be
 * initialised with ssh_callbacks_init (a macro) and must outlive their registration, so they
 * are allocated on the C heap and freed by the owner after removal. */

typedef int (*cubicle_channel_data_cb)(ssh_session, ssh_channel, void *, uint32_t, int, void *);
typedef void (*cubicle_channel_eof_cb)(ssh_session, ssh_channel, void *);
typedef void (*cubicle_channel_close_cb)(ssh_session, ssh_channel, void *);
typedef void (*cubicle_channel_exit_status_cb)(ssh_session, ssh_channel, int, void *);
typedef void (*cubicle_channel_exit_signal_cb)(ssh_session, ssh_channel, const char *, int,
                                               const char *, const char *, void *);

static inline struct ssh_channel_callbacks_struct *
cubicle_channel_callbacks_new(void *userdata,
                              cubicle_channel_data_cb data,
                              cubicle_channel_eof_cb eof,
                              cubicle_channel_close_cb close,
                              cubicle_channel_exit_status_cb exit_status,
                              cubicle_channel_exit_signal_cb exit_signal)
{
    struct ssh_channel_callbacks_struct *cb = calloc(1, sizeof(struct ssh_channel_callbacks_struct));
    if (cb == NULL) {
        return NULL;
    }
    ssh_callbacks_init(cb);
    cb->userdata = userdata;
    cb->channel_data_function = data;
    cb->channel_eof_function = eof;
    cb->channel_close_function = close;
    cb->channel_exit_status_function = exit_status;
    cb->channel_exit_signal_function = exit_signal;
    return cb;
}

static inline void cubicle_channel_callbacks_free(struct ssh_channel_callbacks_struct *cb)
{
    free(cb);
}

/* The session's packet counters live on the C heap so libssh can update them in place. */
static inline struct ssh_counter_struct *cubicle_counter_new(void)
{
    return calloc(1, sizeof(struct ssh_counter_struct));
}

static inline void cubicle_counter_free(struct ssh_counter_struct *counter)
{
    free(counter);
}

#endif
