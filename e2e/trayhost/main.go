// Command trayhost is the desktop test's stand-in for a panel: a
// StatusNotifierWatcher (org.kde.StatusNotifierWatcher, the service a tray
// item registers with) and the host side of a tray — list the registered
// items, read an item's menu (com.canonical.dbusmenu), click an entry,
// activate the icon (a left click). Debian has no package that is only a
// watcher, and a panel would need a whole desktop. It also stands in for
// the notification daemon (org.freedesktop.Notifications), printing each
// notification it receives as "notify<TAB>summary<TAB>body".
//
//	trayhost watch              serve the watcher and notifications until the bus ends
//	trayhost items              print the registered items, one a line
//	trayhost menu               print the newest item's menu: id, enabled, label
//	trayhost click LABEL        send "clicked" to the entry with that label
//	trayhost activate           left-click the newest item
//	trayhost tooltip            print the newest item's tooltip title
//	trayhost icon               print a SHA-256 of the newest item's icon pixmaps
package main

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
)

const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = "/StatusNotifierWatcher"
	itemIface    = "org.kde.StatusNotifierItem"
	menuIface    = "com.canonical.dbusmenu"
	propsGetCall = "org.freedesktop.DBus.Properties.Get"
)

func main() {
	if len(os.Args) < 2 {
		fail(errors.New("usage: trayhost watch|items|menu|click LABEL|activate|tooltip"))
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		fail(err)
	}
	defer conn.Close()
	switch os.Args[1] {
	case "watch":
		err = watch(conn)
	case "items":
		var items []string
		if items, err = registered(conn); err == nil {
			fmt.Println(strings.Join(items, "\n"))
		}
	case "menu":
		err = printMenu(conn)
	case "click":
		if len(os.Args) != 3 {
			fail(errors.New("usage: trayhost click LABEL"))
		}
		err = click(conn, os.Args[2])
	case "activate":
		err = onItem(conn, func(o dbus.BusObject) error { return o.Call(itemIface+".Activate", 0, int32(0), int32(0)).Err })
	case "tooltip":
		err = onItem(conn, func(o dbus.BusObject) error {
			v, err := o.GetProperty(itemIface + ".ToolTip")
			if err != nil {
				return err
			}
			var tt struct {
				Icon   string
				Pixmap []struct {
					W, H int32
					Data []byte
				}
				Title, Text string
			}
			if err := v.Store(&tt); err != nil {
				return err
			}
			fmt.Println(tt.Title)
			return nil
		})
	case "icon":
		err = onItem(conn, func(o dbus.BusObject) error {
			v, err := o.GetProperty(itemIface + ".IconPixmap")
			if err != nil {
				return err
			}
			var pixmaps []struct {
				W, H int32
				Data []byte
			}
			if err := v.Store(&pixmaps); err != nil {
				return err
			}
			h := sha256.New()
			for _, p := range pixmaps {
				fmt.Fprintf(h, "%dx%d:", p.W, p.H)
				h.Write(p.Data)
			}
			fmt.Printf("%x\n", h.Sum(nil))
			return nil
		})
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "trayhost:", err)
	os.Exit(1)
}

// watcher keeps the registered items as "busname/path".
type watcher struct {
	mu    sync.Mutex
	items []string
	props *prop.Properties
}

// RegisterStatusNotifierItem: the argument is a bus name or, as systray
// sends, an object path on the caller's own connection.
func (w *watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	item := service
	if strings.HasPrefix(service, "/") {
		item = string(sender) + service
	} else {
		item = service + "/StatusNotifierItem"
	}
	w.mu.Lock()
	w.items = append(w.items, item)
	items := append([]string(nil), w.items...)
	w.mu.Unlock()
	w.props.SetMust(watcherName, "RegisteredStatusNotifierItems", items)
	fmt.Fprintln(os.Stderr, "trayhost: registered", item)
	return nil
}

func (w *watcher) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

func watch(conn *dbus.Conn) error {
	w := &watcher{}
	if err := conn.Export(w, watcherPath, watcherName); err != nil {
		return err
	}
	props, err := prop.Export(conn, watcherPath, map[string]map[string]*prop.Prop{
		watcherName: {
			"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
			"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
			"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
		},
	})
	if err != nil {
		return err
	}
	w.props = props
	node := &introspect.Node{Name: watcherPath, Interfaces: []introspect.Interface{
		introspect.IntrospectData, prop.IntrospectData,
		{Name: watcherName, Methods: introspect.Methods(w), Properties: props.Introspection(watcherName)},
	}}
	if err := conn.Export(introspect.NewIntrospectable(node), watcherPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		return err
	}
	reply, err := conn.RequestName(watcherName, dbus.NameFlagDoNotQueue)
	if err != nil {
		return err
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		return errors.New("another StatusNotifierWatcher is running")
	}
	if err := serveNotifications(conn); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "trayhost: watching")
	<-conn.Context().Done() // the session bus went away: the test is over
	return nil
}

// notifications is a notification daemon that prints what it is sent.
type notifications struct {
	mu sync.Mutex
	n  uint32
}

func (s *notifications) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body"}, nil
}

func (s *notifications) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	fmt.Printf("notify\t%s\t%s\n", summary, strings.ReplaceAll(body, "\n", " "))
	return s.n, nil
}

func (s *notifications) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "trayhost", "archivist-desktop", "1", "1.2", nil
}

func serveNotifications(conn *dbus.Conn) error {
	const name = "org.freedesktop.Notifications"
	if err := conn.Export(&notifications{}, "/org/freedesktop/Notifications", name); err != nil {
		return err
	}
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil {
		return err
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		return errors.New("another notification daemon is running")
	}
	return nil
}

func registered(conn *dbus.Conn) ([]string, error) {
	v, err := conn.Object(watcherName, watcherPath).GetProperty(watcherName + ".RegisteredStatusNotifierItems")
	if err != nil {
		return nil, err
	}
	var items []string
	return items, v.Store(&items)
}

// onItem runs fn on the newest registered item (an app that quit and came
// back registers again), waiting up to 10 s for one.
func onItem(conn *dbus.Conn, fn func(dbus.BusObject) error) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		items, err := registered(conn)
		if err == nil && len(items) > 0 {
			name, path, _ := strings.Cut(items[len(items)-1], "/")
			return fn(conn.Object(name, dbus.ObjectPath("/"+path)))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no tray item registered (%v)", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type entry struct {
	id      int32
	label   string
	enabled bool
	kind    string
}

// layout is a dbusmenu layout node: (id, properties, children).
type layout struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

func menuEntries(conn *dbus.Conn, item dbus.BusObject) ([]entry, dbus.BusObject, error) {
	v, err := item.GetProperty(itemIface + ".Menu")
	if err != nil {
		return nil, nil, err
	}
	path, ok := v.Value().(dbus.ObjectPath)
	if !ok {
		return nil, nil, fmt.Errorf("Menu property is %T", v.Value())
	}
	menu := conn.Object(item.Destination(), path)
	var revision uint32
	var root layout
	if err := menu.Call(menuIface+".GetLayout", 0, int32(0), int32(-1), []string{}).Store(&revision, &root); err != nil {
		return nil, nil, err
	}
	var out []entry
	for _, c := range root.Children {
		var l layout
		if err := dbus.Store([]any{c.Value()}, &l); err != nil {
			return nil, nil, err
		}
		e := entry{id: l.ID, enabled: true}
		if lv, ok := l.Props["label"]; ok {
			e.label, _ = lv.Value().(string)
		}
		if ev, ok := l.Props["enabled"]; ok {
			e.enabled, _ = ev.Value().(bool)
		}
		if tv, ok := l.Props["type"]; ok {
			e.kind, _ = tv.Value().(string)
		}
		if vv, ok := l.Props["visible"]; ok {
			if visible, _ := vv.Value().(bool); !visible {
				continue
			}
		}
		out = append(out, e)
	}
	return out, menu, nil
}

func printMenu(conn *dbus.Conn) error {
	return onItem(conn, func(item dbus.BusObject) error {
		entries, _, err := menuEntries(conn, item)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.kind == "separator" {
				fmt.Println("---")
				continue
			}
			state := "enabled"
			if !e.enabled {
				state = "disabled"
			}
			fmt.Printf("%d\t%s\t%s\n", e.id, state, e.label)
		}
		return nil
	})
}

func click(conn *dbus.Conn, label string) error {
	return onItem(conn, func(item dbus.BusObject) error {
		entries, menu, err := menuEntries(conn, item)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.label == label {
				if !e.enabled {
					return fmt.Errorf("%q is disabled", label)
				}
				return menu.Call(menuIface+".Event", 0, e.id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix())).Err
			}
		}
		return fmt.Errorf("no menu entry %q", label)
	})
}
