/* Each vCPU's speed on float32 sigmoid (cact_sigmoid_f32_span over 8192 values, L1), thread 0
 * alone, thread 1 alone, then both at once: medians of 1500 rounds, ns per value. On this shared
 * VM one vCPU often runs 30-50% slower than the other, alone as much as together (the host, not
 * contention between the two).
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -fwrapv -fopenmp -I<python include> -Icact tools/c/vcpu_speed_bench.c -o /tmp/vsb -lm && /tmp/vsb */
#include <Python.h>
#include "_math.h"
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <omp.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
static int cmp(const void*a,const void*b){double d=*(double*)a-*(double*)b; return d<0?-1:d>0;}
int main(){
  long n=8192; int R=1500;
  double *a[2]={malloc(8*R),malloc(8*R)},*b[2]={malloc(8*R),malloc(8*R)};
  #pragma omp parallel num_threads(2)
  { int t=omp_get_thread_num(); float*x=aligned_alloc(64,4*n),*y=aligned_alloc(64,4*n);
    for(long i=0;i<n;i++) x[i]=((float)rand()/RAND_MAX-0.5f)*12;
    for(int r=0;r<R;r++){
      for(int who=0;who<2;who++){
        #pragma omp barrier
        if(t==who){double t0=now(); for(int k=0;k<10;k++) cact_sigmoid_f32_span(x,y,n); a[t][r]=(now()-t0)/10/n*1e9;}
      }
      #pragma omp barrier
      double t0=now(); for(int k=0;k<10;k++) cact_sigmoid_f32_span(x,y,n); b[t][r]=(now()-t0)/10/n*1e9;
    }}
  for(int t=0;t<2;t++){qsort(a[t],R,8,cmp);qsort(b[t],R,8,cmp);}
  printf("ns/value medians: thread 0 alone %.3f, thread 1 alone %.3f; both at once: %.3f %.3f\n",a[0][R/2],a[1][R/2],b[0][R/2],b[1][R/2]);
}
