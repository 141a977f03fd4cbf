/* One-thread timing of float32 g elu'(x) over 16384 values in L1 (best of 5000): the product in
 * double (the form before 1e9974c) against cact_elu_grad_f32_run (float lanes, out-of-range lanes
 * again in double), and the run's float loop alone (restrict pointers, no range flag).
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -I<python include> -Icact tools/c/elu_grad_bench.c -o /tmp/egb -lm && /tmp/egb */
#include <Python.h>
#include "_math.h"
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
__attribute__((noinline)) void b1(const float*x,const float*g,float*y,long n,double a){for(long j=0;j<n;j++) y[j]=(float)((double)g[j]*cact_elu_grad_f32(x[j],a));}
__attribute__((noinline)) void b2(const float*x,const float*g,float*y,long n,double a){cact_elu_grad_f32_run(x,g,y,n,a);}
__attribute__((noinline)) void b3(const float*restrict x,const float*restrict g,float*restrict y,long n,float ah,float al){for(long j=0;j<n;j++) y[j]=cact_elu_bwd_f32_fast(x[j],g[j],ah,al);}
int main(void){
  long n=16384; float*x=aligned_alloc(64,4*n),*g=aligned_alloc(64,4*n),*y=aligned_alloc(64,4*n),*y2=aligned_alloc(64,4*n);
  double a=1.5; float ah=cact_slope_hi(a), al=cact_slope_lo(a);
  for(long i=0;i<n;i++){ x[i]=((float)rand()/RAND_MAX-0.6f)*10; g[i]=((float)rand()/RAND_MAX-0.5f);}
  double b[3]={1,1,1};
  for(int r=0;r<5000;r++){double t;
    t=now();b1(x,g,y,n,a);t=now()-t; if(t<b[0])b[0]=t;
    t=now();b2(x,g,y2,n,a);t=now()-t; if(t<b[1])b[1]=t;
    t=now();b3(x,g,y2,n,ah,al);t=now()-t; if(t<b[2])b[2]=t;}
  printf("ns/value: double product %.3f  run %.3f  float loop alone %.3f\n",b[0]/n*1e9,b[1]/n*1e9,b[2]/n*1e9);
  return 0;
}
