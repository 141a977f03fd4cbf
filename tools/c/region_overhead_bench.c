/* The OpenMP region around the 2-thread chunk-taking sigmoid loop (the elementwise kernels'), on n
 * float32 values (default 1e5): the region's total time, when the worker thread starts after the
 * region begins, and how long after the last thread ends the region returns (medians of 3000).
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -fwrapv -fopenmp -I<python include> -Icact tools/c/region_overhead_bench.c -o /tmp/rob -lm && /tmp/rob [n] */
#include <Python.h>
#include "_math.h"
#include "_steal.h"
#include <omp.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
static int cmp(const void*a,const void*b){double d=*(double*)a-*(double*)b; return d<0?-1:d>0;}
int main(int argc,char**argv){
  long n=argc>1?atol(argv[1]):100000; float*x=aligned_alloc(64,4*n),*y=aligned_alloc(64,4*n);
  for(long i=0;i<n;i++) x[i]=((float)rand()/RAND_MAX-0.5f)*12;
  int R=3000; double *tot=malloc(8*R),*ov=malloc(8*R),*st=malloc(8*R),*e[2]={malloc(8*R),malloc(8*R)},*s[2]={malloc(8*R),malloc(8*R)};
  for(int r=0;r<R;r++){ double t0=now();
    cact_cursor cur[2]; cact_cursors_init(cur,y,n,4,2);
    #pragma omp parallel num_threads(2)
    { int t=omp_get_thread_num(); s[t][r]=now()-t0; Py_ssize_t lo,hi; for(int v=0;v<2;v++) while(cact_claim(&cur[(t+v)%2],&lo,&hi)) cact_sigmoid_f32_span(x+lo,y+lo,hi-lo); e[t][r]=now()-t0; }
    tot[r]=now()-t0; double m=e[0][r]>e[1][r]?e[0][r]:e[1][r]; ov[r]=tot[r]-m; st[r]=s[1][r];
  }
  qsort(tot,R,8,cmp);qsort(ov,R,8,cmp);qsort(st,R,8,cmp);
  printf("n=%ld total median %.2f us; worker starts at %.2f us (median); join after the last thread ends: %.2f us (median)\n",n,tot[R/2]*1e6,st[R/2]*1e6,ov[R/2]*1e6);
}
