/* One-thread timing of float32 gelu-tanh, sigmoid and exp over 16384 values (best of 2000).
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -I<python include> -Icact tools/c/float_kernels_bench.c -o /tmp/fkb -lm && /tmp/fkb */
#include <Python.h>
#include "_math.h"
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
__attribute__((noinline)) void g1(const float*x,float*y,long n){for(long j=0;j<n;j++) y[j]=cact_gelu_tanh_f32(x[j]);}
__attribute__((noinline)) void s1(const float*x,float*y,long n){for(long j=0;j<n;j++) y[j]=cact_sigmoid_f32(x[j]);}
__attribute__((noinline)) void e1(const float*x,float*y,long n){for(long j=0;j<n;j++) y[j]=cact_expf_neg(-fabsf(x[j]),-0.0f);}
__attribute__((noinline)) void d1(const float*x,float*y,long n){for(long j=0;j<n;j++) y[j]=x[j]/(1.0f+fabsf(x[j]));}
__attribute__((noinline)) void c1(const float*x,float*y,long n){for(long j=0;j<n;j++) y[j]=x[j]*2.0f;}
int main(){
  long n=16384; float*x=malloc(4*n),*y=malloc(4*n);
  for(long i=0;i<n;i++) x[i]=((float)rand()/RAND_MAX-0.5f)*12;
  double b[5]={1,1,1,1,1};
  for(int r=0;r<2000;r++){double t;
    t=now();g1(x,y,n);t=now()-t;if(t<b[0])b[0]=t;
    t=now();s1(x,y,n);t=now()-t;if(t<b[1])b[1]=t;
    t=now();e1(x,y,n);t=now()-t;if(t<b[2])b[2]=t;
    t=now();d1(x,y,n);t=now()-t;if(t<b[3])b[3]=t;
    t=now();c1(x,y,n);t=now()-t;if(t<b[4])b[4]=t;}
  printf("ns/elem (L1-resident, 1 thread): gelu %.3f sigmoid %.3f expf %.3f div %.3f copy*2 %.3f\n",b[0]/n*1e9,b[1]/n*1e9,b[2]/n*1e9,b[3]/n*1e9,b[4]/n*1e9);
}
