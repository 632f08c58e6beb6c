/* sound/pcm_params.h - kernel model: params_*() accessors (declared in sound/pcm.h). */
#ifndef _KC_SOUND_PCM_PARAMS_H
#define _KC_SOUND_PCM_PARAMS_H
#include <sound/pcm.h>
#endif
