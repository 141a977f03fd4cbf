/* One thread, 1e7 float32: gelu-tanh / sigmoid / relu written directly, and through a scratch block of
 * 1024 copied out by plain or by non-temporal stores, at several offsets of the scratch block from x
 * (4K aliasing: a load that follows a store with the same address bits 0-11 waits for it).
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -I<python include> -Icact tools/c/stream_block_bench.c -o /tmp/sbb -lm && /tmp/sbb */
#include <Python.h>
#include "_math.h"
#include "_stream.h"
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
#define B 1024
#define KERN(name, expr) \
__attribute__((noinline)) static void name##_direct(const float*x,float*y,long n){for(long j=0;j<n;j++) y[j]=expr(x[j]);} \
static inline void name##_blk(const float*x,float*y,long n){for(long j=0;j<n;j++) y[j]=expr(x[j]);} \
__attribute__((noinline)) static void name##_buf(const float*x,float*y,long n,float*buf,int nt){ \
  for(long k=0;k<n;k+=B){long m=n-k<B?n-k:B; name##_blk(x+k,buf,m); if(nt) cact_stream_copy(buf,y+k,4*m); else memcpy(y+k,buf,4*m);} cact_stream_fence();}
static inline float relu(float v){return v>0?v:0.0f;}
KERN(gelu, cact_gelu_tanh_f32)
KERN(sig, cact_sigmoid_f32)
KERN(relu, relu)
int main(){
  long n=10000000; float*x=aligned_alloc(64,4*n+64),*y=aligned_alloc(64,4*n+64); static float scratch[B+2048] __attribute__((aligned(64)));
  for(long i=0;i<n;i++) {x[i]=((float)rand()/RAND_MAX-0.5f)*12; y[i]=0;}
  const char*names[3]={"gelu","sigmoid","relu"};
  for(int f=0;f<3;f++){
    double bd=1,bp[4]={1,1,1,1},bn[4]={1,1,1,1}; int offs[4]={0,256,512,768};
    for(int r=0;r<15;r++){double t;
      t=now(); if(f==0) gelu_direct(x,y,n); else if(f==1) sig_direct(x,y,n); else relu_direct(x,y,n); t=now()-t; if(t<bd)bd=t;
      for(int o=0;o<4;o++){float*buf=scratch+offs[o];
        t=now(); if(f==0) gelu_buf(x,y,n,buf,0); else if(f==1) sig_buf(x,y,n,buf,0); else relu_buf(x,y,n,buf,0); t=now()-t; if(t<bp[o])bp[o]=t;
        t=now(); if(f==0) gelu_buf(x,y,n,buf,1); else if(f==1) sig_buf(x,y,n,buf,1); else relu_buf(x,y,n,buf,1); t=now()-t; if(t<bn[o])bn[o]=t;}}
    printf("%-8s direct %.2f ms | scratch+memcpy / scratch+stream, by scratch offset (floats) from x mod 4K:", names[f], bd*1e3);
    for(int o=0;o<4;o++) printf("  %d: %.2f/%.2f", (int)(((scratch+offs[o])-x)%1024+1024)%1024, bp[o]*1e3, bn[o]*1e3);
    printf("\n");}
}
