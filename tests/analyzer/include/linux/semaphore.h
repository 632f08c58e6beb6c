#ifndef _LINUX_SEMAPHORE_H
#define _LINUX_SEMAPHORE_H
struct semaphore {
	int count;
};
void down(struct semaphore *sem);
int down_trylock(struct semaphore *sem); /* as in Linux: 0 when the semaphore was taken */
void up(struct semaphore *sem);
#endif
