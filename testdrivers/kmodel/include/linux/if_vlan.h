/* linux/if_vlan.h - kernel model: kept so drivers can include it; the declarations live in <linux/netdevice.h>. */
#ifndef _KC_LINUX_IF_VLAN_H
#define _KC_LINUX_IF_VLAN_H
#include <linux/netdevice.h>
#define VLAN_VID_MASK 0x0fff
#define VLAN_N_VID 4096
#define VLAN_PRIO_MASK 0xe000
#define VLAN_PRIO_SHIFT 13
static inline bool skb_vlan_tag_present(const struct sk_buff *skb) { return skb->vlan_tci != 0; }
#define skb_vlan_tag_get(skb) ((skb)->vlan_tci)
static inline void __vlan_hwaccel_put_tag(struct sk_buff *skb, __be16 proto, u16 tci) { (void)proto; skb->vlan_tci = tci; }
#endif
