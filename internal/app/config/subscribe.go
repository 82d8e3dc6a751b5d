package config

import "sync"

// Subscribe returns a channel that receives the Changes of every update, and
// a function that ends the subscription and closes the channel.
//
// Delivery never blocks the store. A subscriber that has not yet read the
// previous Changes gets them merged with the new ones instead of missing
// either: every service must end up applying the latest configuration, so
// dropping a notification (as the event bus does for slow browsers) would be
// wrong here, and waiting for a slow service would stall every save.
func (s *Store) Subscribe() (<-chan Changes, func()) {
	ch := make(chan Changes, 1)
	s.mu.Lock()
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			delete(s.subs, ch)
			close(ch)
		})
	}
}

// publish runs with s.mu held, so it is the only sender on every channel and
// the sends below cannot block.
func (s *Store) publish(c Changes) {
	if c.Empty() {
		return
	}
	for ch := range s.subs {
		select {
		case ch <- c.clone():
			continue
		default:
		}
		select {
		case prev := <-ch:
			if merged := newChanges(prev.Old, c.New); !merged.Empty() {
				ch <- merged
			}
		default:
			// The subscriber took the pending Changes meanwhile.
			ch <- c.clone()
		}
	}
}
