/* Per-pass timing of the float32 softmax row (max, exponentials, sums, scale; 100 rows of 1000, one
 * thread), built like tools/c/softmax_rows_bench.c. */
#include <Python.h>
#include "_softmax.h"
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
int main(){
  int R=100,K=1000; float *x=malloc(4*R*K),*o=malloc(4*R*K);
  for(int i=0;i<R*K;i++){x[i]=((float)rand()/RAND_MAX-0.5)*10;}
  double best[5]={1,1,1,1,1}; volatile double sink=0; double u,d;
  for(int rep=0;rep<300;rep++){
    double t=now(); for(int r=0;r<R;r++) sink+=cact_row_max_f32(x+r*K,K); t=now()-t; if(t<best[0])best[0]=t;
    t=now(); for(int r=0;r<R;r++){float *y=o+r*K; const float*xx=x+r*K; for(int j=0;j<K;j++) y[j]=cact_expf_diff_finite(xx[j],2.0f);} t=now()-t; if(t<best[1])best[1]=t;
    t=now(); for(int r=0;r<R;r++){cact_row_sums_f32(o+r*K,0,1,K,&u,&d); sink+=u;} t=now()-t; if(t<best[2])best[2]=t;
    t=now(); for(int r=0;r<R;r++) cact_scale_f32(o+r*K,K,0.001); t=now()-t; if(t<best[3])best[3]=t;
    t=now(); for(int r=0;r<R;r++) cact_softmax_row_f32(x+r*K,o+r*K,K,1); t=now()-t; if(t<best[4])best[4]=t;
  }
  printf("max %.1f exp %.1f sum %.1f scale %.1f | total %.1f us\n",best[0]*1e6,best[1]*1e6,best[2]*1e6,best[3]*1e6,best[4]*1e6);
}
