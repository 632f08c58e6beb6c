/* sound/initval.h - kernel model: the usual index/id/enable module parameter defaults. */
#ifndef _KC_SOUND_INITVAL_H
#define _KC_SOUND_INITVAL_H

#define SNDRV_DEFAULT_IDX1 (-1)
#define SNDRV_DEFAULT_STR1 NULL
#define SNDRV_DEFAULT_ENABLE1 1
#define SNDRV_DEFAULT_IDX { [0 ... (SNDRV_CARDS - 1)] = -1 }
#define SNDRV_DEFAULT_STR { [0 ... (SNDRV_CARDS - 1)] = NULL }
#define SNDRV_DEFAULT_ENABLE { 1, [1 ... (SNDRV_CARDS - 1)] = 0 }
#define SNDRV_DEFAULT_ENABLE_PNP { [0 ... (SNDRV_CARDS - 1)] = 1 }

#endif
