package events

import "testing"

func TestPublishReachesEverySubscriber(t *testing.T) {
	b := NewBus()
	a, cancelA := b.Subscribe()
	c, cancelC := b.Subscribe()
	defer cancelA()
	defer cancelC()
	b.Publish("node-started", nil)
	for _, ch := range []<-chan Event{a, c} {
		ev := <-ch
		if ev.Type != "node-started" || ev.Time.IsZero() {
			t.Fatalf("got %+v", ev)
		}
	}
}

func TestSlowSubscriberIsDroppedNotBlocking(t *testing.T) {
	b := NewBus()
	ch, cancel := b.Subscribe()
	defer cancel()
	for i := 0; i < subscriberBuffer+10; i++ {
		b.Publish("tick", i) // must not block
	}
	n := 0
	for range ch {
		n++
	}
	if n != subscriberBuffer {
		t.Fatalf("received %d events before the drop, want %d", n, subscriberBuffer)
	}
}

func TestCancelIsIdempotent(t *testing.T) {
	b := NewBus()
	_, cancel := b.Subscribe()
	cancel()
	cancel()
	b.Publish("x", nil)
}
