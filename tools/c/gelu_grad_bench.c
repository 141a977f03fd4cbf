/* One-thread timing of the float64 gelu-tanh derivative on 1e5 N(0, 9) values: the branch-free
 * select of both forms vs cact_gelu_tanh_grad_run (sign-split blocks), and a bitwise comparison.
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 \
 *       -I$(python -c "import sysconfig;print(sysconfig.get_paths()['include'])") -Icact \
 *       tools/c/gelu_grad_bench.c -o /tmp/ggb -lm && /tmp/ggb     (-march=x86-64-v3, x86-64 too) */
#include <Python.h>
#include "_math.h"
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
__attribute__((noinline)) void onepass(const double*x,double*y,long n){for(long j=0;j<n;j++) y[j]=cact_gelu_tanh_grad(x[j]);}
__attribute__((noinline)) void run(const double*x,double*y,long n){cact_gelu_tanh_grad_run(x,NULL,y,n);}
int main(){
  long n=100000; double*x=malloc(8*n),*y=malloc(8*n),*z=malloc(8*n);
  for(long i=0;i<n;i+=2){double u1=(rand()+1.0)/(RAND_MAX+2.0),u2=(rand()+1.0)/(RAND_MAX+2.0); double r=sqrt(-2*log(u1)); x[i]=3*r*cos(6.283185307*u2); x[i+1]=3*r*sin(6.283185307*u2);}
  double b[2]={1,1};
  for(int r=0;r<15;r++){double t;
    t=now();onepass(x,y,n);t=now()-t;if(t<b[0])b[0]=t;
    t=now();run(x,z,n);t=now()-t;if(t<b[1])b[1]=t;}
  long d=0; for(long i=0;i<n;i++) d+=memcmp(&y[i],&z[i],8)!=0;
  printf("1e5 N(0,9), 1 thread: one-pass %.0f us, run %.0f us, %ld differ\n",b[0]*1e6,b[1]*1e6,d);
}
