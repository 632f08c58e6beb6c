// SPDX-License-Identifier: GPL-2.0
/*
 * simnic_param.c - module parameters of the simnic driver and their checks.
 *
 * Parameters are per-board arrays (TxDescriptors=80,256 sets the first two
 * boards), declared and validated the way e1000_param.c does it: each option
 * has a type (enable, range or list), a default and an error text; an out of
 * range value is reported and replaced by the default, so a bad parameter
 * never fails the probe.  simnic_check_options() runs once per probed board.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "simnic.h"

#ifndef __MODULE_STRING
#define __MODULE_STRING_1(x)	#x
#define __MODULE_STRING(x)	__MODULE_STRING_1(x)
#endif

/* This is the only thing that needs to be changed to adjust the
 * maximum number of ports that the driver can manage.
 */
#define SIMNIC_MAX_NIC 32

#define OPTION_UNSET   -1
#define OPTION_DISABLED 0
#define OPTION_ENABLED  1

/* All parameters are treated the same, as an integer array of values.
 * This macro just reduces the need to repeat the same declaration code
 * over and over (plus this helps to avoid typo bugs).
 */
#define SIMNIC_PARAM_INIT { [0 ... SIMNIC_MAX_NIC] = OPTION_UNSET }
#define SIMNIC_PARAM(X, desc)						\
	static int X[SIMNIC_MAX_NIC + 1] = SIMNIC_PARAM_INIT;		\
	static unsigned int num_##X;					\
	module_param_array_named(X, X, int, &num_##X, 0);		\
	MODULE_PARM_DESC(X, desc);

/* Transmit Descriptor Count
 *
 * Valid Range: 48-4096
 * Default Value: 256
 */
SIMNIC_PARAM(TxDescriptors, "Number of transmit descriptors");

/* Receive Descriptor Count
 *
 * Valid Range: 48-4096
 * Default Value: 256
 */
SIMNIC_PARAM(RxDescriptors, "Number of receive descriptors");

/* User Specified Speed Override
 *
 * Valid Range: 0, 10, 100, 1000
 *  - 0    - auto-negotiate at all supported speeds
 *  - 10   - only link at 10 Mbps
 *  - 100  - only link at 100 Mbps
 *  - 1000 - only link at 1000 Mbps
 *
 * Default Value: 0
 */
SIMNIC_PARAM(Speed, "Speed setting");

/* User Specified Duplex Override
 *
 * Valid Range: 0-2
 *  - 0 - auto-negotiate for duplex
 *  - 1 - only link at half duplex
 *  - 2 - only link at full duplex
 *
 * Default Value: 0
 */
SIMNIC_PARAM(Duplex, "Duplex setting");

/* Auto-negotiation Advertisement Override
 *
 * Valid Range: 0x01-0x0F, 0x20-0x2F
 *
 * The AutoNeg value is a bit mask describing which speed and duplex
 * combinations should be advertised during auto-negotiation.
 *
 * Bit           7     6     5      4      3     2     1      0
 * Speed (Mbps)  N/A   N/A   1000   N/A    100   100   10     10
 * Duplex                    Full          Full  Half  Full   Half
 *
 * Default Value: 0x2F (copper)
 */
SIMNIC_PARAM(AutoNeg, "Advertised auto-negotiation setting");
#define AUTONEG_ADV_DEFAULT  0x2F
#define AUTONEG_ADV_MASK     0x2F

/* User Specified Flow Control Override
 *
 * Valid Range: 0-3
 *  - 0 - No Flow Control
 *  - 1 - Rx only, respond to PAUSE frames but do not generate them
 *  - 2 - Tx only, generate PAUSE frames but ignore them on receive
 *  - 3 - Full Flow Control Support
 *
 * Default Value: Read flow control settings from the EEPROM
 */
SIMNIC_PARAM(FlowControl, "Flow Control setting");

/* Transmit Interrupt Delay in units of 1.024 microseconds
 *
 * Valid Range: 0-65535
 */
SIMNIC_PARAM(TxIntDelay, "Transmit Interrupt Delay");
#define DEFAULT_TIDV		8
#define MAX_TXDELAY		0xFFFF
#define MIN_TXDELAY		0

/* Receive Interrupt Delay in units of 1.024 microseconds
 *
 * Valid Range: 0-65535
 */
SIMNIC_PARAM(RxIntDelay, "Receive Interrupt Delay");
#define DEFAULT_RDTR		0
#define MAX_RXDELAY		0xFFFF
#define MIN_RXDELAY		0

/* Interrupt Throttle Rate (interrupts/sec)
 *
 * Valid Range: 100-100000 (0=off, 1=dynamic, 3=dynamic conservative)
 */
SIMNIC_PARAM(InterruptThrottleRate, "Interrupt Throttling Rate");
#define DEFAULT_ITR		3
#define MAX_ITR		100000
#define MIN_ITR		100

/* Smart Power Down: keep the PHY powered down while no link
 *
 * Valid Range: 0, 1
 * Default Value: 0 (disabled)
 */
SIMNIC_PARAM(SmartPowerDownEnable, "Enable PHY smart power down");

struct simnic_option {
	enum { enable_option, range_option, list_option } type;
	const char *name;
	const char *err;
	int def;
	union {
		struct { /* range_option info */
			int min;
			int max;
		} r;
		struct { /* list_option info */
			int nr;
			const struct simnic_opt_list {
				int i;
				char *str;
			} *p;
		} l;
	} arg;
};

/**
 * simnic_validate_option - check one option value against its rule
 * @value: in/out: the user's value, replaced by the default when invalid
 * @opt: the option's rule
 * @adapter: board, for the messages
 *
 * Returns 0 when the user's value is accepted (or unset, then the default is
 * taken silently), -1 when it was rejected and replaced by the default.
 */
static int simnic_validate_option(unsigned int *uvalue,
				  const struct simnic_option *opt,
				  struct simnic_adapter *adapter)
{
	int *value = (int *)uvalue;

	if (*value == OPTION_UNSET) {
		*value = opt->def;
		return 0;
	}

	switch (opt->type) {
	case enable_option:
		switch (*value) {
		case OPTION_ENABLED:
			netdev_info(adapter->netdev, "%s Enabled\n", opt->name);
			return 0;
		case OPTION_DISABLED:
			netdev_info(adapter->netdev, "%s Disabled\n", opt->name);
			return 0;
		}
		break;
	case range_option:
		if (*value >= opt->arg.r.min && *value <= opt->arg.r.max) {
			netdev_info(adapter->netdev, "%s set to %i\n",
				    opt->name, *value);
			return 0;
		}
		break;
	case list_option: {
		int i;
		const struct simnic_opt_list *ent;

		for (i = 0; i < opt->arg.l.nr; i++) {
			ent = &opt->arg.l.p[i];
			if (*value == ent->i) {
				if (ent->str[0] != '\0')
					netdev_info(adapter->netdev, "%s\n",
						    ent->str);
				return 0;
			}
		}
	}
		break;
	default:
		BUG();
	}

	netdev_info(adapter->netdev, "Invalid %s value specified (%i) %s\n",
		    opt->name, *value, opt->err);
	*value = opt->def;
	return -1;
}

/* round a ring size to the hardware multiple, inside the limits */
static unsigned int simnic_ring_size(unsigned int value, unsigned int multiple)
{
	return ALIGN(value, multiple);
}

/* check TxDescriptors and RxDescriptors for this board */
static void simnic_check_ring_options(struct simnic_adapter *adapter,
				      unsigned int bd)
{
	struct simnic_tx_ring *tx_ring = adapter->tx_ring;
	struct simnic_rx_ring *rx_ring = adapter->rx_ring;

	{ /* Transmit Descriptor Count */
		static const struct simnic_option opt = {
			.type = range_option,
			.name = "Transmit Descriptors",
			.err  = "using default of " __MODULE_STRING(SIMNIC_DEFAULT_TXD),
			.def  = SIMNIC_DEFAULT_TXD,
			.arg  = { .r = { .min = SIMNIC_MIN_TXD,
					 .max = SIMNIC_MAX_TXD }}
		};

		if (num_TxDescriptors > bd) {
			tx_ring->count = TxDescriptors[bd];
			simnic_validate_option(&tx_ring->count, &opt, adapter);
			tx_ring->count = simnic_ring_size(tx_ring->count,
						REQ_TX_DESCRIPTOR_MULTIPLE);
		} else {
			tx_ring->count = opt.def;
		}
	}
	{ /* Receive Descriptor Count */
		static const struct simnic_option opt = {
			.type = range_option,
			.name = "Receive Descriptors",
			.err  = "using default of " __MODULE_STRING(SIMNIC_DEFAULT_RXD),
			.def  = SIMNIC_DEFAULT_RXD,
			.arg  = { .r = { .min = SIMNIC_MIN_RXD,
					 .max = SIMNIC_MAX_RXD }}
		};

		if (num_RxDescriptors > bd) {
			rx_ring->count = RxDescriptors[bd];
			simnic_validate_option(&rx_ring->count, &opt, adapter);
			rx_ring->count = simnic_ring_size(rx_ring->count,
						REQ_RX_DESCRIPTOR_MULTIPLE);
		} else {
			rx_ring->count = opt.def;
		}
	}
}

/* check FlowControl, the delays and the interrupt throttle rate */
static void simnic_check_irq_options(struct simnic_adapter *adapter,
				      unsigned int bd)
{
	{ /* Flow Control */
		static const struct simnic_opt_list fc_list[] = {
			{ simnic_fc_none,     "Flow Control Disabled" },
			{ simnic_fc_rx_pause, "Flow Control Receive Only" },
			{ simnic_fc_tx_pause, "Flow Control Transmit Only" },
			{ simnic_fc_full,     "Flow Control Enabled" },
			{ simnic_fc_default,  "Flow Control Hardware Default" }
		};
		static const struct simnic_option opt = {
			.type = list_option,
			.name = "Flow Control",
			.err  = "reading default settings from EEPROM",
			.def  = simnic_fc_default,
			.arg  = { .l = { .nr = ARRAY_SIZE(fc_list),
					 .p = fc_list }}
		};

		if (num_FlowControl > bd) {
			unsigned int fc = FlowControl[bd];

			simnic_validate_option(&fc, &opt, adapter);
			adapter->hw.fc = adapter->hw.original_fc = fc;
		} else {
			adapter->hw.fc = adapter->hw.original_fc = opt.def;
		}
	}
	{ /* Transmit Interrupt Delay */
		static const struct simnic_option opt = {
			.type = range_option,
			.name = "Transmit Interrupt Delay",
			.err  = "using default of " __MODULE_STRING(DEFAULT_TIDV),
			.def  = DEFAULT_TIDV,
			.arg  = { .r = { .min = MIN_TXDELAY,
					 .max = MAX_TXDELAY }}
		};

		if (num_TxIntDelay > bd) {
			adapter->tx_int_delay = TxIntDelay[bd];
			simnic_validate_option(&adapter->tx_int_delay, &opt,
					       adapter);
		} else {
			adapter->tx_int_delay = opt.def;
		}
	}
	{ /* Receive Interrupt Delay */
		static const struct simnic_option opt = {
			.type = range_option,
			.name = "Receive Interrupt Delay",
			.err  = "using default of " __MODULE_STRING(DEFAULT_RDTR),
			.def  = DEFAULT_RDTR,
			.arg  = { .r = { .min = MIN_RXDELAY,
					 .max = MAX_RXDELAY }}
		};

		if (num_RxIntDelay > bd) {
			adapter->rx_int_delay = RxIntDelay[bd];
			simnic_validate_option(&adapter->rx_int_delay, &opt,
					       adapter);
		} else {
			adapter->rx_int_delay = opt.def;
		}
	}
	{ /* Interrupt Throttling Rate */
		static const struct simnic_option opt = {
			.type = range_option,
			.name = "Interrupt Throttling Rate (ints/sec)",
			.err  = "using default of " __MODULE_STRING(DEFAULT_ITR),
			.def  = DEFAULT_ITR,
			.arg  = { .r = { .min = MIN_ITR,
					 .max = MAX_ITR }}
		};

		if (num_InterruptThrottleRate > bd) {
			adapter->itr = InterruptThrottleRate[bd];
			switch (adapter->itr) {
			case 0:
				netdev_info(adapter->netdev, "%s turned off\n",
					    opt.name);
				adapter->itr_setting = 0;
				break;
			case 1:
				netdev_info(adapter->netdev,
					    "%s set to dynamic mode\n", opt.name);
				adapter->itr_setting = adapter->itr;
				adapter->itr = 20000;
				break;
			case 3:
				netdev_info(adapter->netdev,
					    "%s set to dynamic conservative mode\n",
					    opt.name);
				adapter->itr_setting = adapter->itr;
				adapter->itr = 20000;
				break;
			case 4:
				netdev_info(adapter->netdev,
					    "%s set to simplified (2000-8000) ints mode\n",
					    opt.name);
				adapter->itr_setting = adapter->itr;
				break;
			default:
				simnic_validate_option(&adapter->itr, &opt,
						       adapter);
				/* save the setting, because the dynamic bits
				 * change itr.  clear the lower two bits
				 * because they are used as control
				 */
				adapter->itr_setting = adapter->itr & ~3;
				break;
			}
		} else {
			adapter->itr_setting = opt.def;
			adapter->itr = 20000;
		}
	}
	{ /* Smart Power Down */
		static const struct simnic_option opt = {
			.type = enable_option,
			.name = "PHY Smart Power Down",
			.err  = "defaulting to Disabled",
			.def  = OPTION_DISABLED
		};

		if (num_SmartPowerDownEnable > bd) {
			unsigned int spd = SmartPowerDownEnable[bd];

			simnic_validate_option(&spd, &opt, adapter);
			adapter->smart_power_down = spd;
		} else {
			adapter->smart_power_down = opt.def;
		}
	}
}

/**
 * simnic_check_copper_options - range checking for link options, copper
 * @adapter: board private structure
 * @bd: board number
 *
 * Speed, Duplex and AutoNeg interact: forcing a speed or duplex turns
 * autonegotiation into a restricted advertisement, and an AutoNeg mask given
 * with a forced speed is ignored with a message.
 */
static void simnic_check_copper_options(struct simnic_adapter *adapter,
					unsigned int bd)
{
	unsigned int speed, dplx, an;

	{ /* Speed */
		static const struct simnic_opt_list speed_list[] = {
			{          0, "" },
			{   SPEED_10, "" },
			{  SPEED_100, "" },
			{ SPEED_1000, "" }};
		static const struct simnic_option opt = {
			.type = list_option,
			.name = "Speed",
			.err  = "parameter ignored",
			.def  = 0,
			.arg  = { .l = { .nr = ARRAY_SIZE(speed_list),
					 .p = speed_list }}
		};

		if (num_Speed > bd) {
			speed = Speed[bd];
			simnic_validate_option(&speed, &opt, adapter);
		} else {
			speed = opt.def;
		}
	}
	{ /* Duplex */
		static const struct simnic_opt_list dplx_list[] = {
			{           0, "" },
			{ HALF_DUPLEX_SIMNIC, "" },
			{ FULL_DUPLEX_SIMNIC, "" }};
		static const struct simnic_option opt = {
			.type = list_option,
			.name = "Duplex",
			.err  = "parameter ignored",
			.def  = 0,
			.arg  = { .l = { .nr = ARRAY_SIZE(dplx_list),
					 .p = dplx_list }}
		};

		if (num_Duplex > bd) {
			dplx = Duplex[bd];
			simnic_validate_option(&dplx, &opt, adapter);
		} else {
			dplx = opt.def;
		}
	}

	if ((num_AutoNeg > bd) && (speed != 0 || dplx != 0)) {
		netdev_info(adapter->netdev,
			    "AutoNeg specified along with Speed or Duplex, AutoNeg parameter ignored\n");
		adapter->hw.autoneg_advertised = AUTONEG_ADV_DEFAULT;
	} else { /* Autoneg */
		static const struct simnic_opt_list an_list[] = {
			{ 0x01, "AutoNeg advertising 10/HD" },
			{ 0x02, "AutoNeg advertising 10/FD" },
			{ 0x03, "AutoNeg advertising 10/FD, 10/HD" },
			{ 0x04, "AutoNeg advertising 100/HD" },
			{ 0x05, "AutoNeg advertising 100/HD, 10/HD" },
			{ 0x06, "AutoNeg advertising 100/HD, 10/FD" },
			{ 0x07, "AutoNeg advertising 100/HD, 10/FD, 10/HD" },
			{ 0x08, "AutoNeg advertising 100/FD" },
			{ 0x09, "AutoNeg advertising 100/FD, 10/HD" },
			{ 0x0a, "AutoNeg advertising 100/FD, 10/FD" },
			{ 0x0b, "AutoNeg advertising 100/FD, 10/FD, 10/HD" },
			{ 0x0c, "AutoNeg advertising 100/FD, 100/HD" },
			{ 0x0d, "AutoNeg advertising 100/FD, 100/HD, 10/HD" },
			{ 0x0e, "AutoNeg advertising 100/FD, 100/HD, 10/FD" },
			{ 0x0f, "AutoNeg advertising 100/FD, 100/HD, 10/FD, 10/HD" },
			{ 0x20, "AutoNeg advertising 1000/FD" },
			{ 0x21, "AutoNeg advertising 1000/FD, 10/HD" },
			{ 0x22, "AutoNeg advertising 1000/FD, 10/FD" },
			{ 0x23, "AutoNeg advertising 1000/FD, 10/FD, 10/HD" },
			{ 0x24, "AutoNeg advertising 1000/FD, 100/HD" },
			{ 0x25, "AutoNeg advertising 1000/FD, 100/HD, 10/HD" },
			{ 0x26, "AutoNeg advertising 1000/FD, 100/HD, 10/FD" },
			{ 0x27, "AutoNeg advertising 1000/FD, 100/HD, 10/FD, 10/HD" },
			{ 0x28, "AutoNeg advertising 1000/FD, 100/FD" },
			{ 0x29, "AutoNeg advertising 1000/FD, 100/FD, 10/HD" },
			{ 0x2a, "AutoNeg advertising 1000/FD, 100/FD, 10/FD" },
			{ 0x2b, "AutoNeg advertising 1000/FD, 100/FD, 10/FD, 10/HD" },
			{ 0x2c, "AutoNeg advertising 1000/FD, 100/FD, 100/HD" },
			{ 0x2d, "AutoNeg advertising 1000/FD, 100/FD, 100/HD, 10/HD" },
			{ 0x2e, "AutoNeg advertising 1000/FD, 100/FD, 100/HD, 10/FD" },
			{ 0x2f, "AutoNeg advertising 1000/FD, 100/FD, 100/HD, 10/FD, 10/HD" }
		};
		static const struct simnic_option opt = {
			.type = list_option,
			.name = "AutoNeg",
			.err  = "parameter ignored",
			.def  = AUTONEG_ADV_DEFAULT,
			.arg  = { .l = { .nr = ARRAY_SIZE(an_list),
					 .p = an_list }}
		};

		if (num_AutoNeg > bd) {
			an = AutoNeg[bd];
			simnic_validate_option(&an, &opt, adapter);
		} else {
			an = opt.def;
		}
		adapter->hw.autoneg_advertised = an;
	}

	switch ((int)(speed + dplx)) {
	case 0:
		adapter->hw.autoneg = adapter->fc_autoneg = 1;
		if ((num_Speed > bd) && (speed != 0 || dplx != 0))
			netdev_info(adapter->netdev,
				    "Speed and duplex autonegotiation enabled\n");
		break;
	case HALF_DUPLEX_SIMNIC:
		netdev_info(adapter->netdev, "Half Duplex specified without Speed\n");
		netdev_info(adapter->netdev,
			    "Using Autonegotiation at Half Duplex only\n");
		adapter->hw.autoneg = adapter->fc_autoneg = 1;
		adapter->hw.autoneg_advertised = ADVERTISE_10_HALF |
						 ADVERTISE_100_HALF;
		break;
	case FULL_DUPLEX_SIMNIC:
		netdev_info(adapter->netdev, "Full Duplex specified without Speed\n");
		netdev_info(adapter->netdev,
			    "Using Autonegotiation at Full Duplex only\n");
		adapter->hw.autoneg = adapter->fc_autoneg = 1;
		adapter->hw.autoneg_advertised = ADVERTISE_10_FULL |
						 ADVERTISE_100_FULL |
						 ADVERTISE_1000_FULL;
		break;
	case SPEED_10:
		netdev_info(adapter->netdev, "10 Mbps Speed specified without Duplex\n");
		netdev_info(adapter->netdev, "Using Autonegotiation at 10 Mbps only\n");
		adapter->hw.autoneg = adapter->fc_autoneg = 1;
		adapter->hw.autoneg_advertised = ADVERTISE_10_HALF |
						 ADVERTISE_10_FULL;
		break;
	case SPEED_10 + HALF_DUPLEX_SIMNIC:
		netdev_info(adapter->netdev, "Forcing to 10 Mbps Half Duplex\n");
		adapter->hw.autoneg = adapter->fc_autoneg = 0;
		adapter->hw.forced_speed = 10;
		adapter->hw.forced_duplex = 0;
		adapter->hw.autoneg_advertised = 0;
		break;
	case SPEED_10 + FULL_DUPLEX_SIMNIC:
		netdev_info(adapter->netdev, "Forcing to 10 Mbps Full Duplex\n");
		adapter->hw.autoneg = adapter->fc_autoneg = 0;
		adapter->hw.forced_speed = 10;
		adapter->hw.forced_duplex = 1;
		adapter->hw.autoneg_advertised = 0;
		break;
	case SPEED_100:
		netdev_info(adapter->netdev, "100 Mbps Speed specified without Duplex\n");
		netdev_info(adapter->netdev, "Using Autonegotiation at 100 Mbps only\n");
		adapter->hw.autoneg = adapter->fc_autoneg = 1;
		adapter->hw.autoneg_advertised = ADVERTISE_100_HALF |
						 ADVERTISE_100_FULL;
		break;
	case SPEED_100 + HALF_DUPLEX_SIMNIC:
		netdev_info(adapter->netdev, "Forcing to 100 Mbps Half Duplex\n");
		adapter->hw.autoneg = adapter->fc_autoneg = 0;
		adapter->hw.forced_speed = 100;
		adapter->hw.forced_duplex = 0;
		adapter->hw.autoneg_advertised = 0;
		break;
	case SPEED_100 + FULL_DUPLEX_SIMNIC:
		netdev_info(adapter->netdev, "Forcing to 100 Mbps Full Duplex\n");
		adapter->hw.autoneg = adapter->fc_autoneg = 0;
		adapter->hw.forced_speed = 100;
		adapter->hw.forced_duplex = 1;
		adapter->hw.autoneg_advertised = 0;
		break;
	case SPEED_1000:
		netdev_info(adapter->netdev, "1000 Mbps Speed specified without Duplex\n");
		goto full_duplex_only;
	case SPEED_1000 + HALF_DUPLEX_SIMNIC:
		netdev_info(adapter->netdev, "Half Duplex is not supported at 1000 Mbps\n");
		fallthrough;
	case SPEED_1000 + FULL_DUPLEX_SIMNIC:
full_duplex_only:
		netdev_info(adapter->netdev,
			    "Using Autonegotiation at 1000 Mbps Full Duplex only\n");
		adapter->hw.autoneg = adapter->fc_autoneg = 1;
		adapter->hw.autoneg_advertised = ADVERTISE_1000_FULL;
		break;
	default:
		BUG();
	}
}

/**
 * simnic_check_options - range checking for command line parameters
 * @adapter: board private structure
 *
 * This routine checks all command line parameters for valid user input.
 * If an invalid value is given, or if no user specified value exists, a
 * default value is used.  The final value is stored in a variable in the
 * adapter structure.
 */
void simnic_check_options(struct simnic_adapter *adapter)
{
	unsigned int bd = adapter->bd_number;

	if (bd >= SIMNIC_MAX_NIC) {
		netdev_notice(adapter->netdev,
			      "Warning: no configuration for board #%i using defaults for all values\n",
			      bd);
		bd = SIMNIC_MAX_NIC;
	}

	simnic_check_ring_options(adapter, bd);
	simnic_check_irq_options(adapter, bd);
	simnic_check_copper_options(adapter, bd);
}
