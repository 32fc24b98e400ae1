#include "daemon/loop.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/err.h"

uint64_t daemon_loop_now(void)
{
	return clock_mono_ns(&clock_system);
}

static void on_timer(void *arg, uint32_t events)
{
	struct daemon_loop *l = arg;
	(void)events;
	uint64_t n;
	/* the count of expirations is of no interest; read to clear the fd */
	if (read(l->timerfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	l->armed = CLOCK_NEVER;
	if (l->hooks.tick)
		l->hooks.tick(l->arg, daemon_loop_now());
}

static void on_stop(void *arg, uint32_t events)
{
	struct daemon_loop *l = arg;
	(void)events;
	uint64_t n;
	if (read(l->stopfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	l->stop = true;
}

int daemon_loop_init(struct daemon_loop *l, const struct daemon_loop_hooks *hooks, void *arg)
{
	memset(l, 0, sizeof(*l));
	l->epfd = l->timerfd = l->stopfd = -1;
	l->armed = CLOCK_NEVER;
	if (hooks)
		l->hooks = *hooks;
	l->arg = arg;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	l->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->epfd < 0 || l->timerfd < 0 || l->stopfd < 0)
		goto fail;
	l->timer_w = (struct daemon_watch){.fd = l->timerfd, .events = EPOLLIN, .fn = on_timer, .arg = l};
	l->stop_w = (struct daemon_watch){.fd = l->stopfd, .events = EPOLLIN, .fn = on_stop, .arg = l};
	if (daemon_loop_add(l, &l->timer_w) || daemon_loop_add(l, &l->stop_w))
		goto fail;
	return 0;
fail:;
	int saved = errno;
	daemon_loop_free(l);
	errno = saved;
	return ERR_IO;
}

void daemon_loop_free(struct daemon_loop *l)
{
	if (l->stopfd >= 0)
		close(l->stopfd);
	if (l->timerfd >= 0)
		close(l->timerfd);
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = l->timerfd = l->stopfd = -1;
}

int daemon_loop_add(struct daemon_loop *l, struct daemon_watch *w)
{
	struct epoll_event ev = {.events = w->events, .data.ptr = w};
	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, w->fd, &ev) ? ERR_IO : 0;
}

int daemon_loop_mod(struct daemon_loop *l, struct daemon_watch *w, uint32_t events)
{
	if (events == w->events)
		return 0;
	w->events = events;
	struct epoll_event ev = {.events = events, .data.ptr = w};
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev) ? ERR_IO : 0;
}

void daemon_loop_del(struct daemon_loop *l, struct daemon_watch *w)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

/* Set the timerfd to the engines' earliest deadline (or disarm it). */
void daemon_loop_rearm(struct daemon_loop *l)
{
	uint64_t dl = l->hooks.next_deadline ? l->hooks.next_deadline(l->arg) : CLOCK_NEVER;
	if (dl == l->armed)
		return;
	struct itimerspec its = {0};
	if (dl != CLOCK_NEVER) {
		/* 0 would disarm: a deadline in the past fires at once with 1 ns */
		uint64_t at = dl ? dl : 1;
		its.it_value.tv_sec = (time_t)(at / NS_PER_SEC);
		its.it_value.tv_nsec = (long)(at % NS_PER_SEC);
	}
	if (timerfd_settime(l->timerfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		l->armed = dl;
}

int daemon_loop_run(struct daemon_loop *l)
{
	l->stop = false;
	while (!l->stop) {
		daemon_loop_rearm(l);
		struct epoll_event ev;
		int n = epoll_wait(l->epfd, &ev, 1, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ERR_IO;
		if (n == 1) {
			struct daemon_watch *w = ev.data.ptr;
			w->fn(w->arg, ev.events);
		}
	}
	return 0;
}

void daemon_loop_stop(struct daemon_loop *l)
{
	uint64_t one = 1;
	/* a full counter means a stop is pending already */
	if (write(l->stopfd, &one, sizeof(one)) < 0)
		return;
}
