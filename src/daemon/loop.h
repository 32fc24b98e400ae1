/*
 * The control thread's event loop: epoll over file descriptors plus one
 * timerfd (CLOCK_MONOTONIC, absolute) for the engines' next deadline.
 *
 *   struct daemon_loop l;
 *   daemon_loop_init(&l, &hooks, arg);
 *   daemon_loop_add(&l, &watch);        // sockets, signalfd, ...
 *   daemon_loop_run(&l);                // until daemon_loop_stop()
 *
 * After every event the loop asks hooks.next_deadline() and re-arms the
 * timer; when the deadline passes it calls hooks.tick(now). Engines are
 * sans-I/O, so this is the only place their timers live.
 *
 * Events are taken one at a time from epoll, so a callback may remove (and
 * free) any watch, its own included, without leaving stale events behind.
 * daemon_loop_stop() may be called from any thread (it writes an eventfd).
 */
#ifndef GVPN_DAEMON_LOOP_H
#define GVPN_DAEMON_LOOP_H

#include <stdbool.h>
#include <stdint.h>

/* Called with the epoll events (EPOLLIN, EPOLLOUT, EPOLLHUP, ...). */
typedef void (*daemon_watch_fn)(void *arg, uint32_t events);

struct daemon_watch {
	int fd;
	uint32_t events; /* EPOLLIN / EPOLLOUT wanted */
	daemon_watch_fn fn;
	void *arg;
};

struct daemon_loop_hooks {
	/* Earliest deadline of everything timed (monotonic ns); CLOCK_NEVER for none. */
	uint64_t (*next_deadline)(void *arg);
	/* The deadline came: run what is due at now. */
	void (*tick)(void *arg, uint64_t now);
};

struct daemon_loop {
	int epfd;
	int timerfd;
	int stopfd; /* eventfd */
	bool stop;
	uint64_t armed; /* deadline the timer is set to, CLOCK_NEVER when off */
	struct daemon_loop_hooks hooks;
	void *arg;
	struct daemon_watch timer_w, stop_w;
};

/* 0 or ERR_IO (errno set). hooks are copied; either may be NULL. */
int daemon_loop_init(struct daemon_loop *l, const struct daemon_loop_hooks *hooks, void *arg);
void daemon_loop_free(struct daemon_loop *l);

/* Watch w->fd for w->events (w is borrowed until removed). 0 or ERR_IO. */
int daemon_loop_add(struct daemon_loop *l, struct daemon_watch *w);
/* Change the events of a watched fd. 0 or ERR_IO. */
int daemon_loop_mod(struct daemon_loop *l, struct daemon_watch *w, uint32_t events);
/* Stop watching (before closing w->fd). */
void daemon_loop_del(struct daemon_loop *l, struct daemon_watch *w);

/*
 * Run until daemon_loop_stop(). Returns 0, or ERR_IO when epoll itself
 * fails. May be called again after a stop.
 */
int daemon_loop_run(struct daemon_loop *l);
/* Make daemon_loop_run return after the current event; any thread. */
void daemon_loop_stop(struct daemon_loop *l);
/* Re-evaluate the deadline now (after a command changed engine state). */
void daemon_loop_rearm(struct daemon_loop *l);

/* CLOCK_MONOTONIC in ns, the clock the timer uses (= clock_system.mono_ns). */
uint64_t daemon_loop_now(void);

#endif
