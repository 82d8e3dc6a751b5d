package folders

import (
	"time"
)

// jobKey names a file: its folder and its relative, '/'-separated path.
type jobKey struct{ folder, rel string }

// job is a file that needs uploading.
type job struct {
	key jobKey
	// size and modNs are what the file has looked like since seenAt; it
	// is uploaded only once it looked the same for the settle time.
	size, modNs int64
	seenAt      time.Time
	// isNew: the index had no entry for the path when it was queued.
	isNew bool

	attempts int
	err      string    // the last failure, "" when none
	due      time.Time // not before (settle or retry backoff)
	inflight bool
}

// queue is the upload queue: FIFO among the jobs that are due, with the
// others (settling, or waiting out a retry backoff) set aside until they
// are. Guarded by Service.mu.
type queue struct {
	jobs  map[jobKey]*job
	order []jobKey // due jobs in arrival order; stale keys are skipped
	later map[jobKey]*job
}

func (q *queue) init() {
	q.jobs = map[jobKey]*job{}
	q.later = map[jobKey]*job{}
}

// add queues a file, unchanged since since with size and modNs, to upload
// once it has settled (at due), or updates its queued job.
func (q *queue) add(k jobKey, size, modNs int64, isNew bool, since, due time.Time) {
	if j, ok := q.jobs[k]; ok {
		if j.size != size || j.modNs != modNs {
			j.size, j.modNs, j.seenAt = size, modNs, since
		}
		return
	}
	j := &job{key: k, size: size, modNs: modNs, seenAt: since, isNew: isNew, due: due}
	q.jobs[k] = j
	q.order = append(q.order, k)
}

// take returns the first due job that may run (ok says whether its folder
// may upload now), marking it in flight; or nil. Jobs not yet due go to
// the side until retryDue brings them back.
func (q *queue) take(now time.Time, ok func(folder string) bool) *job {
	var skipped []jobKey
	defer func() {
		if len(skipped) > 0 {
			q.order = append(skipped, q.order...)
		}
	}()
	for len(q.order) > 0 {
		k := q.order[0]
		q.order = q.order[1:]
		j, exists := q.jobs[k]
		if !exists || j.inflight || q.later[k] != nil {
			continue
		}
		if now.Before(j.due) {
			q.later[k] = j
			continue
		}
		if !ok(k.folder) {
			skipped = append(skipped, k)
			continue
		}
		j.inflight = true
		return j
	}
	return nil
}

// finish removes a job that is done (uploaded, gone, or nothing to do).
func (q *queue) finish(j *job) {
	if q.jobs[j.key] == j {
		delete(q.jobs, j.key)
	}
	if len(q.jobs) == 0 {
		q.order = q.order[:0:0]
	}
}

// defer_ puts a job back to run at due.
func (q *queue) defer_(j *job, due time.Time) {
	j.inflight = false
	j.due = due
	if q.jobs[j.key] != j {
		return // removed meanwhile
	}
	q.later[j.key] = j
}

// retryDue moves the jobs whose time has come back into the FIFO, and
// reports whether there were any.
func (q *queue) retryDue(now time.Time) bool {
	any := false
	for k, j := range q.later {
		if !now.Before(j.due) {
			delete(q.later, k)
			q.order = append(q.order, k)
			any = true
		}
	}
	return any
}

// retryNow makes a folder's failed jobs due now.
func (q *queue) retryNow(folder string) {
	for k, j := range q.later {
		if k.folder == folder && j.err != "" {
			j.due = time.Time{}
		}
	}
}

// dropFolder forgets a folder's jobs (it was removed or disabled); an
// upload in flight finishes but is not recorded.
func (q *queue) dropFolder(folder string) {
	for k := range q.jobs {
		if k.folder == folder {
			delete(q.jobs, k)
			delete(q.later, k)
		}
	}
}

// drop forgets one file's job (it was deleted before it was uploaded).
func (q *queue) drop(k jobKey) {
	if j, ok := q.jobs[k]; ok && !j.inflight {
		delete(q.jobs, k)
		delete(q.later, k)
	}
}

// counts returns a folder's waiting and failed jobs, and of the waiting
// ones how many are new files and their bytes.
func (q *queue) counts(folder string) (pending, failed, newFiles int, newBytes int64) {
	for k, j := range q.jobs {
		if k.folder != folder {
			continue
		}
		pending++
		if j.err != "" {
			failed++
		}
		if j.isNew {
			newFiles++
			newBytes += j.size
		}
	}
	return
}

// waiting is the number of jobs not in flight.
func (q *queue) waiting() int {
	n := 0
	for _, j := range q.jobs {
		if !j.inflight {
			n++
		}
	}
	return n
}

// busy reports whether a folder has jobs queued or in flight.
func (q *queue) busy(folder string) bool {
	for k := range q.jobs {
		if k.folder == folder {
			return true
		}
	}
	return false
}

// backoff is the wait before retry n (1-based): base·2^(n-1), capped.
func backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}
