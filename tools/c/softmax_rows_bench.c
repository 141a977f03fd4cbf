/* Per-row timing of the softmax row passes in C (no Python, no threads): R = 100 rows of 1000.
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 \
 *       -mprefer-vector-width=512 -I$(python -c "import sysconfig;print(sysconfig.get_paths()['include'])") \
 *       -Icact tools/c/softmax_rows_bench.c -o /tmp/srb -lm && /tmp/srb */
#include <Python.h>
#include "_softmax.h"
#include <time.h>
static double cact_rd32(const float*g,const float*y,Py_ssize_t K){double u,d;cact_row_sums_f32(y,g,0,K,&u,&d);return d;}
static double cact_rd64(const double*g,const double*y,Py_ssize_t K){double u,d;cact_row_sums_f64(y,g,0,K,&u,&d);return d;}
#include <stdio.h>
#include <stdlib.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
int main(){
  int R=100,K=1000; float *y=malloc(4*R*K),*g=malloc(4*R*K),*o=malloc(4*R*K);
  double *yd=malloc(8*R*K),*gd=malloc(8*R*K),*od=malloc(8*R*K);
  for(int i=0;i<R*K;i++){y[i]=yd[i]=(float)rand()/RAND_MAX*0.002; g[i]=gd[i]=(float)rand()/RAND_MAX-0.5;}
  double best[6]={1,1,1,1,1,1}; volatile double sink=0;
  for(int rep=0;rep<200;rep++){
    double t=now(); for(int r=0;r<R;r++) cact_softmax_vjp_y_row_f32(y+r*K,g+r*K,o+r*K,K); t=now()-t; if(t<best[0])best[0]=t;
    t=now(); for(int r=0;r<R;r++) sink+=cact_rd32(g+r*K,y+r*K,K); t=now()-t; if(t<best[1])best[1]=t;
    t=now(); for(int r=0;r<R;r++) cact_softmax_vjp_y_row_f64(yd+r*K,gd+r*K,od+r*K,K); t=now()-t; if(t<best[2])best[2]=t;
    t=now(); for(int r=0;r<R;r++) sink+=cact_rd64(gd+r*K,yd+r*K,K); t=now()-t; if(t<best[3])best[3]=t;
    t=now(); for(int r=0;r<R;r++) cact_softmax_row_f32(g+r*K,o+r*K,K,1); t=now()-t; if(t<best[4])best[4]=t;
    t=now(); for(int r=0;r<R;r++) cact_softmax_row_f64(gd+r*K,od+r*K,K,1); t=now()-t; if(t<best[5])best[5]=t;
  }
  printf("vjp_y f32 %.1f us, dot f32 %.1f, vjp_y f64 %.1f, dot f64 %.1f, fwd f32 %.1f, fwd f64 %.1f\n",best[0]*1e6,best[1]*1e6,best[2]*1e6,best[3]*1e6,best[4]*1e6,best[5]*1e6);
}
