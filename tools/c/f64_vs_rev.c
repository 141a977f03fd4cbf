/* A float64 function now against the same function at an earlier commit (FN: gelu_tanh_grad_main,
 * the default, which takes x < 0 only, or gelu_tanh with -DBOTH_SIGNS): bits on 315M doubles (any
 * bit pattern incl. NaNs, (-40, 0] or (-40, 40), near -23 or +-22, out to 1e12 in magnitude), the
 * gelu' run over uniform (-6, 6) too, and time per value (1 thread).
 *   git show REV:cact/_math.h | sed 's/cact_/old_/g; s/CACT_MATH_H/OLD_MATH_H/' > /tmp/math_old.h
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -I<python include> -Icact [-DFN=gelu_tanh -DBOTH_SIGNS] tools/c/f64_vs_rev.c -o /tmp/f64rev -lm && /tmp/f64rev */
#include <Python.h>
#include "/tmp/math_old.h"
#include "_math.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define N (1<<20)
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
#ifndef FN
#define FN gelu_tanh_grad_main
#endif
#define CAT(a, b) a##b
#define NAME(p, f) CAT(p, f)
#ifdef BOTH_SIGNS
#define S(v) (v)          /* both signs */
#define SIGN_BIT 0ull
#else
#define S(v) (-fabs(v))   /* x < 0 only */
#define SIGN_BIT 0x8000000000000000ull
#endif
__attribute__((noinline)) static void a(const double*x,double*y,long n){for(long j=0;j<n;j++) y[j]=NAME(old_, FN)(x[j]);}
__attribute__((noinline)) static void b(const double*x,double*y,long n){for(long j=0;j<n;j++) y[j]=NAME(cact_, FN)(x[j]);}
__attribute__((noinline)) static void ra(const double*x,double*y,long n){old_gelu_tanh_grad_run(x,NULL,y,n);}
__attribute__((noinline)) static void rb(const double*x,double*y,long n){cact_gelu_tanh_grad_run(x,NULL,y,n);}
static uint64_t st=88172645463325252ull; static uint64_t xr(){st^=st<<13;st^=st>>7;st^=st<<17;return st;}
int main(){ static double x[N], y1[N], y2[N]; long diff=0, tot=0;
  for (int rep=0; rep<300; rep++) {
    for (int i=0;i<N;i++){ uint64_t u=xr(); double v;
      if (i%4==0) { u |= SIGN_BIT; memcpy(&v,&u,8); }                                   /* any bit pattern */
      else if (i%4==1) v = S(((double)(u>>11)/9007199254740992.0-0.5)*80.0);           /* (-40, 40) */
      else if (i%4==2) v = ((rep&1) ? S(22.0) : -23.0) - ((double)(u>>11)/9007199254740992.0)*1e-6*(rep%7);  /* the caps */
      else v = S(((double)(u>>11)/9007199254740992.0-0.5)*2e12);                        /* beyond the old cap */
      x[i]=v; }
    a(x,y1,N); b(x,y2,N);
    for (int i=0;i<N;i++){ tot++; if (memcmp(&y1[i],&y2[i],8) && !(y1[i]!=y1[i] && y2[i]!=y2[i])) { if(diff<5) printf("x=%a old %a new %a\n",x[i],y1[i],y2[i]); diff++; } }
  }
  printf("%ld of %ld doubles differ\n", diff, tot);
  /* timing: main alone, and the run on N(0, 9)-like data */
  for (int i=0;i<100000;i++) x[i] = S(((double)(xr()>>11)/9007199254740992.0-0.5)*12) - (SIGN_BIT ? 1.2 : 0.0);
  double bt[4]={1,1,1,1};
  for (int r=0;r<40;r++){ double t;
    t=now(); a(x,y1,100000); t=now()-t; if(t<bt[0])bt[0]=t;
    t=now(); b(x,y1,100000); t=now()-t; if(t<bt[1])bt[1]=t; }
  for (int i=0;i<100000;i++) x[i] = ((double)(xr()>>11)/9007199254740992.0-0.5)*12;
  for (int r=0;r<40;r++){ double t;
    t=now(); ra(x,y1,100000); t=now()-t; if(t<bt[2])bt[2]=t;
    t=now(); rb(x,y2,100000); t=now()-t; if(t<bt[3])bt[3]=t; }
  printf("ns/elem: FN old %.2f new %.2f; run (uniform -6..6) old %.2f new %.2f; run same bits: %d\n", bt[0]/1e5*1e9, bt[1]/1e5*1e9, bt[2]/1e5*1e9, bt[3]/1e5*1e9, memcmp(y1,y2,8*100000)==0);
  return diff!=0;
}
